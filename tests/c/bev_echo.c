/* 8 MiB echoed byte for byte between two socket bufferevents on 127.0.0.1: the client connects
 * with bufferevent_socket_connect(), the server echoes every byte it reads, the client checks
 * what comes back against what it sent. */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

#define TOTAL (8u << 20)

static struct event_base *base;
static struct bufferevent *client, *server;
static size_t sent, received, echoed;
static int mismatch, connected, server_eof;

static unsigned char pattern(size_t i) { return (unsigned char)((i * 7u + (i >> 13)) & 0xff); }

static void fill_client(void)
{
	unsigned char chunk[65536];
	struct evbuffer *out = bufferevent_get_output(client);
	/* Keep at most 256 KiB queued so the test also exercises the write callback. */
	while (sent < TOTAL && evbuffer_get_length(out) < (256u << 10)) {
		size_t n = TOTAL - sent < sizeof(chunk) ? TOTAL - sent : sizeof(chunk);
		size_t i;
		for (i = 0; i < n; i++)
			chunk[i] = pattern(sent + i);
		CHECK_EQ(bufferevent_write(client, chunk, n), 0);
		sent += n;
	}
}

static void client_read(struct bufferevent *bev, void *arg)
{
	unsigned char buf[8192];
	size_t n, i;
	(void)arg;
	while ((n = bufferevent_read(bev, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			if (buf[i] != pattern(received + i))
				mismatch++;
		received += n;
	}
	if (received == TOTAL) {
		SAY("client: all %zu bytes came back, %d mismatches", received, mismatch);
		bufferevent_free(client);
		client = NULL;
	}
}

static void client_write(struct bufferevent *bev, void *arg)
{
	(void)bev; (void)arg;
	fill_client();
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev; (void)arg;
	if (what & BEV_EVENT_CONNECTED) {
		connected = 1;
		SAY("client: event 0x%x (connected)", what);
		fill_client();
		return;
	}
	SAY("client: unexpected event 0x%x", what);
	exit(1);
}

static void server_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	(void)arg;
	echoed += evbuffer_get_length(in);
	CHECK_EQ(bufferevent_write_buffer(bev, in), 0);
	CHECK_EQ(evbuffer_get_length(in), 0);
}

static void server_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	SAY("server: event 0x%x after echoing %zu bytes", what, echoed);
	server_eof = 1;
	bufferevent_free(bev);
	server = NULL;
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
	int fd = accept(lfd, NULL, NULL);
	(void)what;
	CHECK(fd >= 0);
	CHECK_EQ(evutil_make_socket_nonblocking(fd), 0);
	server = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	CHECK(server != NULL);
	bufferevent_setcb(server, server_read, NULL, server_event, NULL);
	CHECK_EQ(bufferevent_enable(server, EV_READ | EV_WRITE), 0);
	event_del((struct event *)arg);
}

int main(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct event *acc;
	int lfd;

	base = event_base_new();
	CHECK(base != NULL);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(lfd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_EQ(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	CHECK_EQ(listen(lfd, 8), 0);
	CHECK_EQ(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	acc = event_new(base, lfd, EV_READ | EV_PERSIST, on_accept, event_self_cbarg());
	CHECK_EQ(event_add(acc, NULL), 0);

	client = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	CHECK(client != NULL);
	CHECK_EQ(bufferevent_getfd(client), -1);
	bufferevent_setcb(client, client_read, client_write, client_event, NULL);
	CHECK_EQ(bufferevent_enable(client, EV_READ), 0);
	CHECK_EQ(bufferevent_socket_connect(client, (struct sockaddr *)&sin, sizeof(sin)), 0);
	CHECK(bufferevent_getfd(client) >= 0);

	CHECK_EQ(event_base_dispatch(base), 1);
	SAY("connected %d, sent %zu, received %zu, echoed %zu, server saw eof %d",
	    connected, sent, received, echoed, server_eof);
	CHECK_EQ(received, TOTAL);
	CHECK_EQ(mismatch, 0);
	event_free(acc);
	close(lfd);
	event_base_free(base);
	return 0;
}
