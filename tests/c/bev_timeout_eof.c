/* Timeouts, end of file and errors of socket bufferevents: a read timeout reports
 * READING|TIMEOUT and disables reading; a write timeout (peer not reading) reports
 * WRITING|TIMEOUT; the peer closing gives READING|EOF; writing to a closed peer gives
 * WRITING|ERROR with EPIPE. */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static short last_what;
static int last_errno, nevents;

static void on_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	(void)arg;
	SAY("  readcb: %zu bytes", evbuffer_get_length(in));
	evbuffer_drain(in, evbuffer_get_length(in));
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	last_errno = errno;
	last_what = what;
	nevents++;
	SAY("  eventcb 0x%02x, enabled now %d", what, bufferevent_get_enabled(bev));
	event_base_loopexit(base, NULL);
}

static struct bufferevent *make(int *peer)
{
	int sv[2];
	struct bufferevent *bev;
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CHECK_EQ(evutil_make_socket_nonblocking(sv[0]), 0);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	CHECK(bev != NULL);
	bufferevent_setcb(bev, on_read, NULL, on_event, NULL);
	*peer = sv[1];
	return bev;
}

int main(void)
{
	struct timeval tv = { 0, 50000 }, start, end;
	struct bufferevent *bev;
	char big[65536];
	int peer, i;

	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	CHECK(base != NULL);

	SAY("read timeout");
	bev = make(&peer);
	CHECK_EQ(bufferevent_set_timeouts(bev, &tv, NULL), 0);
	CHECK_EQ(bufferevent_enable(bev, EV_READ), 0);
	CHECK_EQ(write(peer, "abc", 3), 3);
	evutil_gettimeofday(&start, NULL);
	CHECK_EQ(event_base_dispatch(base), 0);
	evutil_gettimeofday(&end, NULL);
	CHECK_EQ(last_what, BEV_EVENT_READING | BEV_EVENT_TIMEOUT);
	CHECK((end.tv_sec - start.tv_sec) * 1000000 + (end.tv_usec - start.tv_usec) >= 40000);
	SAY("reading enabled after the timeout: %d", !!(bufferevent_get_enabled(bev) & EV_READ));
	/* Re-enabling restarts the timer; data in time keeps it quiet. */
	CHECK_EQ(bufferevent_enable(bev, EV_READ), 0);
	CHECK_EQ(write(peer, "d", 1), 1);
	CHECK_EQ(event_base_loop(base, EVLOOP_ONCE), 0);
	CHECK_EQ(nevents, 1);
	CHECK_EQ(bufferevent_set_timeouts(bev, NULL, NULL), 0);

	SAY("end of file");
	close(peer);
	CHECK_EQ(event_base_dispatch(base), 0);
	CHECK_EQ(last_what, BEV_EVENT_READING | BEV_EVENT_EOF);
	bufferevent_free(bev);

	SAY("write timeout (the peer never reads)");
	bev = make(&peer);
	i = 4096;
	CHECK_EQ(setsockopt(bufferevent_getfd(bev), SOL_SOCKET, SO_SNDBUF, &i, sizeof(i)), 0);
	memset(big, 'w', sizeof(big));
	for (i = 0; i < 16; i++)
		CHECK_EQ(bufferevent_write(bev, big, sizeof(big)), 0);
	CHECK_EQ(bufferevent_set_timeouts(bev, NULL, &tv), 0);
	CHECK_EQ(event_base_dispatch(base), 0);
	CHECK_EQ(last_what, BEV_EVENT_WRITING | BEV_EVENT_TIMEOUT);
	SAY("output still holds data: %d", evbuffer_get_length(bufferevent_get_output(bev)) > 0);
	bufferevent_free(bev);
	close(peer);

	SAY("write error (the peer is gone)");
	bev = make(&peer);
	close(peer);
	CHECK_EQ(bufferevent_write(bev, "hello", 5), 0);
	CHECK_EQ(event_base_dispatch(base), 0);
	CHECK_EQ(last_what, BEV_EVENT_WRITING | BEV_EVENT_ERROR);
	SAY("errno in the callback: %s", last_errno == EPIPE ? "EPIPE" : strerror(last_errno));
	bufferevent_free(bev);

	CHECK_EQ(event_base_dispatch(base), 1);
	event_base_free(base);
	return 0;
}
