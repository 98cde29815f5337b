/* bufferevent_socket_connect() and _connect_hostname() on 127.0.0.1: a listening port gives
 * BEV_EVENT_CONNECTED, a closed port BEV_EVENT_ERROR with ECONNREFUSED (reported from the
 * loop), numeric and "localhost" names resolve without an evdns base, bad arguments fail. */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static int events_seen;

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	int e = errno;
	(void)arg;
	events_seen++;
	if (what & BEV_EVENT_ERROR)
		SAY("  %s: eventcb 0x%02x errno %s, dns error %d", (const char *)arg, what,
		    e == ECONNREFUSED ? "ECONNREFUSED" : strerror(e), bufferevent_socket_get_dns_error(bev));
	else
		SAY("  %s: eventcb 0x%02x", (const char *)arg, what);
	event_base_loopexit(base, NULL);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	(void)bev;
	SAY("  %s: writecb", (const char *)arg);
}

static int listener(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_EQ(bind(fd, (struct sockaddr *)sin, sizeof(*sin)), 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)sin, &len), 0);
	return fd;
}

int main(void)
{
	struct sockaddr_in open_sin, closed_sin;
	struct bufferevent *bev;
	int lfd, cfd, fd;

	base = event_base_new();
	CHECK(base != NULL);
	lfd = listener(&open_sin);
	CHECK_EQ(listen(lfd, 16), 0);
	cfd = listener(&closed_sin);
	close(cfd); /* nothing listens on closed_sin any more */

	SAY("connect to a listening port");
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, NULL, on_write, on_event, "open");
	CHECK_EQ(bufferevent_socket_connect(bev, (struct sockaddr *)&open_sin, sizeof(open_sin)), 0);
	SAY("  returned 0, enabled %d", bufferevent_get_enabled(bev));
	CHECK_EQ(event_base_dispatch(base), 0);
	fd = accept(lfd, NULL, NULL);
	CHECK(fd >= 0);
	CHECK_EQ(bufferevent_write(bev, "ping", 4), 0);
	CHECK_EQ(event_base_dispatch(base), 1);
	{
		char buf[8];
		CHECK_EQ(read(fd, buf, sizeof(buf)), 4);
		SAY("  peer got %.4s", buf);
	}
	close(fd);
	bufferevent_free(bev);

	SAY("connect to a closed port");
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, NULL, on_write, on_event, "closed");
	CHECK_EQ(bufferevent_socket_connect(bev, (struct sockaddr *)&closed_sin, sizeof(closed_sin)), 0);
	SAY("  returned 0, callbacks so far %d", events_seen);
	CHECK_EQ(event_base_dispatch(base), 0);
	SAY("  enabled after the failure %d", bufferevent_get_enabled(bev));
	bufferevent_free(bev);

	SAY("connect_hostname 127.0.0.1 (no evdns base)");
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, NULL, NULL, on_event, "numeric");
	CHECK_EQ(bufferevent_socket_connect_hostname(bev, NULL, AF_INET, "127.0.0.1", ntohs(open_sin.sin_port)), 0);
	CHECK_EQ(event_base_dispatch(base), 0);
	CHECK_EQ(bufferevent_socket_get_dns_error(bev), 0);
	fd = accept(lfd, NULL, NULL);
	CHECK(fd >= 0);
	close(fd);
	bufferevent_free(bev);

	SAY("connect_hostname localhost");
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, NULL, NULL, on_event, "localhost");
	CHECK_EQ(bufferevent_socket_connect_hostname(bev, NULL, AF_INET, "localhost", ntohs(open_sin.sin_port)), 0);
	CHECK_EQ(event_base_dispatch(base), 0);
	fd = accept(lfd, NULL, NULL);
	CHECK(fd >= 0);
	close(fd);
	bufferevent_free(bev);

	SAY("connect_hostname to the closed port");
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, NULL, NULL, on_event, "closed-name");
	CHECK_EQ(bufferevent_socket_connect_hostname(bev, NULL, AF_UNSPEC, "127.0.0.1", ntohs(closed_sin.sin_port)), 0);
	CHECK_EQ(event_base_dispatch(base), 0);
	bufferevent_free(bev);

	SAY("bad arguments");
	bev = bufferevent_socket_new(base, -1, 0);
	CHECK_EQ(bufferevent_socket_connect_hostname(bev, NULL, AF_INET, "127.0.0.1", 0), -1);
	CHECK_EQ(bufferevent_socket_connect_hostname(bev, NULL, AF_INET, "127.0.0.1", 70000), -1);
	CHECK_EQ(bufferevent_socket_connect_hostname(bev, NULL, AF_UNIX, "127.0.0.1", 80), -1);
	CHECK_EQ(bufferevent_socket_connect(bev, NULL, 0), -1);
	SAY("  all rejected, fd %d", bufferevent_getfd(bev));
	bufferevent_free(bev);

	CHECK_EQ(event_base_dispatch(base), 1);
	close(lfd);
	event_base_free(base);
	return 0;
}
