/* Watermarks of a socket bufferevent over a socketpair: the read low watermark holds the read
 * callback back, the read high watermark stops reading until the input is drained below it,
 * the write low watermark decides when the write callback runs. */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static int nread, nwrite;

static void on_read(struct bufferevent *bev, void *arg)
{
	size_t lo, hi, len = evbuffer_get_length(bufferevent_get_input(bev));
	(void)arg;
	nread++;
	SAY("  readcb #%d: input %zu", nread, len);
	CHECK_EQ(bufferevent_getwatermark(bev, EV_READ, &lo, &hi), 0);
	/* A full input with reading enabled would be reported again and again (libevent 2.1.12
	 * re-runs the read callback while the input stays at the high watermark): pause. */
	if (hi && len >= hi) {
		SAY("  input full: reading disabled");
		bufferevent_disable(bev, EV_READ);
	}
}

static void on_write(struct bufferevent *bev, void *arg)
{
	(void)arg;
	nwrite++;
	SAY("  writecb #%d: output %zu", nwrite, evbuffer_get_length(bufferevent_get_output(bev)));
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev; (void)arg;
	SAY("  eventcb 0x%x", what);
}

static void put(int fd, size_t n)
{
	char buf[4096];
	memset(buf, 'x', sizeof(buf));
	CHECK(n <= sizeof(buf));
	CHECK_EQ(write(fd, buf, n), (long long)n);
}

static size_t pending_in_socket(int fd)
{
	char buf[65536];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
	return n < 0 ? 0 : (size_t)n;
}

static void spin(struct event_base *base, const char *what)
{
	int i;
	SAY("%s", what);
	for (i = 0; i < 4; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct bufferevent *bev;
	struct evbuffer *in;
	size_t lo = 1, hi = 1;
	int sv[2];
	char junk[64];

	CHECK(base != NULL);
	memset(junk, 'j', sizeof(junk));
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CHECK_EQ(evutil_make_socket_nonblocking(sv[0]), 0);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	CHECK(bev != NULL);
	in = bufferevent_get_input(bev);
	bufferevent_setcb(bev, on_read, on_write, on_event, NULL);

	CHECK_EQ(bufferevent_getwatermark(bev, EV_READ, &lo, &hi), 0);
	SAY("default read watermarks %zu/%zu", lo, hi);
	CHECK_EQ(bufferevent_getwatermark(bev, EV_READ | EV_WRITE, &lo, &hi), -1);

	bufferevent_setwatermark(bev, EV_READ, 10, 20);
	CHECK_EQ(bufferevent_getwatermark(bev, EV_READ, &lo, &hi), 0);
	SAY("read watermarks now %zu/%zu", lo, hi);
	CHECK_EQ(bufferevent_enable(bev, EV_READ), 0);

	put(sv[1], 5);
	spin(base, "5 bytes sent (below the low watermark)");
	put(sv[1], 10);
	spin(base, "10 more (15, above low)");
	put(sv[1], 20);
	spin(base, "20 more: reading stops at the high watermark");
	SAY("input %zu, left in the socket %zu", evbuffer_get_length(in), pending_in_socket(sv[0]));
	CHECK_EQ(bufferevent_read(bev, junk, 15), 15);
	spin(base, "drained 15, still disabled");
	SAY("input %zu, left in the socket %zu", evbuffer_get_length(in), pending_in_socket(sv[0]));
	CHECK_EQ(bufferevent_enable(bev, EV_READ), 0);
	spin(base, "enabled again: reading resumes up to the high watermark");
	SAY("input %zu, left in the socket %zu", evbuffer_get_length(in), pending_in_socket(sv[0]));
	CHECK_EQ(bufferevent_read(bev, junk, 20), 20);
	CHECK_EQ(bufferevent_enable(bev, EV_READ), 0);
	spin(base, "drained 20 and enabled");
	SAY("input %zu, left in the socket %zu", evbuffer_get_length(in), pending_in_socket(sv[0]));
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	evbuffer_drain(in, evbuffer_get_length(in));

	/* Write side: the callback runs once the output is at or below the low watermark. */
	bufferevent_setwatermark(bev, EV_WRITE, 100, 0);
	CHECK_EQ(bufferevent_getwatermark(bev, EV_WRITE, &lo, &hi), 0);
	SAY("write watermarks %zu/%zu", lo, hi);
	bufferevent_write(bev, junk, 50);
	SAY("wrote 50 (writecb must not run inside bufferevent_write)");
	spin(base, "loop");
	SAY("peer has %zu bytes", pending_in_socket(sv[1]));

	bufferevent_free(bev);
	close(sv[1]);
	event_base_free(base);
	return 0;
}
