/* Bufferevent pairs: 1 MiB each way at once (byte-exact), the reader's high watermark, flush
 * with BEV_FINISHED (the partner hears EOF), freeing one side (the other is just detached),
 * bufferevent_pair_get_partner, and that callbacks always run from the loop. */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <string.h>
#include "check.h"

#define TOTAL (1024 * 1024)
#define CHUNK 65536

struct side {
	const char *name;
	int seed;
	size_t sent, got;
	int events;
	short last_event;
};

static int in_call; /* set while the program is inside a libevent call */

static unsigned char pattern(int seed, size_t i)
{
	return (unsigned char)((i * 131 + (i >> 9) + (size_t)seed) & 0xff);
}

static void feed(struct bufferevent *bev, struct side *s)
{
	unsigned char buf[CHUNK];
	size_t n = TOTAL - s->sent, i;
	if (n == 0)
		return;
	if (n > CHUNK)
		n = CHUNK;
	for (i = 0; i < n; i++)
		buf[i] = pattern(s->seed, s->sent + i);
	s->sent += n;
	in_call = 1;
	CHECK_EQ(bufferevent_write(bev, buf, n), 0);
	in_call = 0;
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct side *s = arg;
	/* the data comes from the other side: its seed is the other one */
	int seed = s->seed ^ 1;
	unsigned char buf[4096];
	size_t n, i;
	CHECK(!in_call);
	while ((n = bufferevent_read(bev, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			CHECK_EQ(buf[i], pattern(seed, s->got + i));
		s->got += n;
	}
}

static void on_write(struct bufferevent *bev, void *arg)
{
	CHECK(!in_call);
	feed(bev, arg);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct side *s = arg;
	(void)bev;
	CHECK(!in_call);
	s->events++;
	s->last_event = what;
	SAY("  %s event 0x%x", s->name, what);
}

static void bulk(struct event_base *base)
{
	struct bufferevent *p[2];
	struct side a = { "A", 0, 0, 0, 0, 0 }, b = { "B", 1, 0, 0, 0, 0 };
	SAY("bulk: 1 MiB each way");
	CHECK_EQ(bufferevent_pair_new(base, 0, p), 0);
	CHECK(bufferevent_pair_get_partner(p[0]) == p[1]);
	CHECK(bufferevent_pair_get_partner(p[1]) == p[0]);
	SAY("  enabled %d %d fd %d underlying %s", bufferevent_get_enabled(p[0]),
	    bufferevent_get_enabled(p[1]), (int)bufferevent_getfd(p[0]),
	    bufferevent_get_underlying(p[0]) ? "set" : "null");
	bufferevent_setcb(p[0], on_read, on_write, on_event, &a);
	bufferevent_setcb(p[1], on_read, on_write, on_event, &b);
	bufferevent_enable(p[0], EV_READ | EV_WRITE);
	bufferevent_enable(p[1], EV_READ | EV_WRITE);
	feed(p[0], &a);
	feed(p[1], &b);
	CHECK_EQ(event_base_dispatch(base), 1);
	SAY("  A sent %zu got %zu, B sent %zu got %zu", a.sent, a.got, b.sent, b.got);
	CHECK_EQ(a.got, TOTAL);
	CHECK_EQ(b.got, TOTAL);
	bufferevent_free(p[0]);
	bufferevent_free(p[1]);
}

static size_t wm_take;

static void wm_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	(void)arg;
	SAY("  B read: input %zu", evbuffer_get_length(in));
	CHECK(evbuffer_get_length(in) <= 100);
	evbuffer_drain(in, wm_take);
}

static void wm_write(struct bufferevent *bev, void *arg)
{
	(void)arg;
	SAY("  A write: output %zu", evbuffer_get_length(bufferevent_get_output(bev)));
}

static void watermarks(struct event_base *base)
{
	struct bufferevent *p[2];
	char data[1000];
	size_t lo, hi;
	SAY("watermarks: B reads at most 100, A's write callback at <= 200");
	memset(data, 'w', sizeof(data));
	CHECK_EQ(bufferevent_pair_new(base, 0, p), 0);
	bufferevent_setcb(p[0], NULL, wm_write, NULL, NULL);
	bufferevent_setcb(p[1], wm_read, NULL, NULL, NULL);
	bufferevent_setwatermark(p[1], EV_READ, 0, 100);
	bufferevent_setwatermark(p[0], EV_WRITE, 200, 0);
	CHECK_EQ(bufferevent_getwatermark(p[1], EV_READ, &lo, &hi), 0);
	SAY("  B read watermarks %zu %zu", lo, hi);
	CHECK_EQ(bufferevent_write(p[0], data, sizeof(data)), 0);
	SAY("  reading off: A output %zu, B input %zu",
	    evbuffer_get_length(bufferevent_get_output(p[0])),
	    evbuffer_get_length(bufferevent_get_input(p[1])));
	bufferevent_enable(p[1], EV_READ);
	SAY("  reading on: A output %zu, B input %zu",
	    evbuffer_get_length(bufferevent_get_output(p[0])),
	    evbuffer_get_length(bufferevent_get_input(p[1])));
	wm_take = 75;
	CHECK_EQ(event_base_dispatch(base), 1);
	SAY("  done: A output %zu, B input %zu",
	    evbuffer_get_length(bufferevent_get_output(p[0])),
	    evbuffer_get_length(bufferevent_get_input(p[1])));
	bufferevent_disable(p[1], EV_READ);
	CHECK_EQ(bufferevent_write(p[0], data, 10), 0);
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
	SAY("  read disabled: A output %zu, B input %zu",
	    evbuffer_get_length(bufferevent_get_output(p[0])),
	    evbuffer_get_length(bufferevent_get_input(p[1])));
	bufferevent_disable(p[0], EV_WRITE);
	bufferevent_enable(p[1], EV_READ);
	SAY("  write disabled: A output %zu, B input %zu",
	    evbuffer_get_length(bufferevent_get_output(p[0])),
	    evbuffer_get_length(bufferevent_get_input(p[1])));
	bufferevent_enable(p[0], EV_WRITE);
	SAY("  write enabled: A output %zu, B input %zu",
	    evbuffer_get_length(bufferevent_get_output(p[0])),
	    evbuffer_get_length(bufferevent_get_input(p[1])));
	CHECK_EQ(event_base_dispatch(base), 1);
	bufferevent_free(p[0]);
	bufferevent_free(p[1]);
}

static void fin_read(struct bufferevent *bev, void *arg)
{
	SAY("  %s read: input %zu", (const char *)arg,
	    evbuffer_get_length(bufferevent_get_input(bev)));
}

static void fin_write(struct bufferevent *bev, void *arg)
{
	SAY("  %s write: output %zu", (const char *)arg,
	    evbuffer_get_length(bufferevent_get_output(bev)));
}

static void fin_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	CHECK(!in_call);
	SAY("  %s event 0x%x", (const char *)arg, what);
}

static void finished(struct event_base *base)
{
	struct bufferevent *p[2];
	SAY("flush modes");
	CHECK_EQ(bufferevent_pair_new(base, 0, p), 0);
	bufferevent_setcb(p[0], fin_read, fin_write, fin_event, "A");
	bufferevent_setcb(p[1], fin_read, fin_write, fin_event, "B");
	CHECK_EQ(bufferevent_write(p[0], "abc", 3), 0);
	in_call = 1;
	SAY("  normal %d", bufferevent_flush(p[0], EV_WRITE, BEV_NORMAL));
	in_call = 0;
	SAY("  after normal: B input %zu", evbuffer_get_length(bufferevent_get_input(p[1])));
	in_call = 1;
	SAY("  flush %d", bufferevent_flush(p[0], EV_WRITE, BEV_FLUSH));
	in_call = 0;
	SAY("  after flush: B input %zu", evbuffer_get_length(bufferevent_get_input(p[1])));
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
	CHECK_EQ(bufferevent_write(p[0], "defg", 4), 0);
	in_call = 1;
	SAY("  finished(write) %d", bufferevent_flush(p[0], EV_WRITE, BEV_FINISHED));
	in_call = 0;
	SAY("  after finished: B input %zu", evbuffer_get_length(bufferevent_get_input(p[1])));
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
	CHECK_EQ(bufferevent_write(p[1], "hi", 2), 0);
	in_call = 1;
	SAY("  finished(read) %d", bufferevent_flush(p[0], EV_READ, BEV_FINISHED));
	in_call = 0;
	SAY("  after finished(read): A input %zu", evbuffer_get_length(bufferevent_get_input(p[0])));
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
	in_call = 1;
	SAY("  finished(both) %d", bufferevent_flush(p[1], EV_READ | EV_WRITE, BEV_FINISHED));
	in_call = 0;
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
	bufferevent_free(p[0]);
	bufferevent_free(p[1]);
}

static void free_one(struct event_base *base)
{
	struct bufferevent *p[2], *s;
	SAY("free one side");
	CHECK_EQ(bufferevent_pair_new(base, BEV_OPT_CLOSE_ON_FREE, p), 0);
	bufferevent_setcb(p[1], fin_read, fin_write, fin_event, "B");
	bufferevent_enable(p[1], EV_READ);
	CHECK_EQ(bufferevent_write(p[1], "xyz", 3), 0);
	CHECK_EQ(bufferevent_write(p[0], "12345", 5), 0);
	bufferevent_free(p[0]);
	SAY("  partner after free: %s", bufferevent_pair_get_partner(p[1]) ? "set" : "null");
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
	SAY("  write on orphan: %d", bufferevent_write(p[1], "q", 1));
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
	SAY("  orphan: output %zu input %zu", evbuffer_get_length(bufferevent_get_output(p[1])),
	    evbuffer_get_length(bufferevent_get_input(p[1])));
	SAY("  flush on orphan: %d", bufferevent_flush(p[1], EV_WRITE, BEV_FINISHED));
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
	bufferevent_free(p[1]);
	s = bufferevent_socket_new(base, -1, 0);
	CHECK(s != NULL);
	SAY("  partner of a socket bufferevent: %s", bufferevent_pair_get_partner(s) ? "set" : "null");
	bufferevent_free(s);
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
}

int main(void)
{
	struct event_base *base = event_base_new();
	CHECK(base != NULL);
	bulk(base);
	watermarks(base);
	finished(base);
	free_one(base);
	event_base_free(base);
	SAY("ok");
	return 0;
}
