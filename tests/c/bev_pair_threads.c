/* Bufferevent pairs made with BEV_OPT_THREADSAFE (pthreads locks): both sides share one lock.
 * A second thread writes 256 KiB into one side while the loop thread reads the other side;
 * the bytes must arrive in order. Then the sides are freed in both orders. */
// LIBS: -levent_core -levent_pthreads
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/thread.h>
#include <pthread.h>
#include <string.h>
#include "check.h"

#define TOTAL (256 * 1024)
#define CHUNK 1000

static size_t got;

static unsigned char pattern(size_t i)
{
	return (unsigned char)((i * 7 + (i >> 10)) & 0xff);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	unsigned char buf[4096];
	size_t n, i;
	while ((n = bufferevent_read(bev, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			CHECK_EQ(buf[i], pattern(got + i));
		got += n;
	}
	if (got == TOTAL)
		event_base_loopbreak(arg);
}

static void *writer(void *arg)
{
	struct bufferevent *bev = arg;
	unsigned char buf[CHUNK];
	size_t sent = 0, n, i;
	while (sent < TOTAL) {
		n = TOTAL - sent < CHUNK ? TOTAL - sent : CHUNK;
		for (i = 0; i < n; i++)
			buf[i] = pattern(sent + i);
		CHECK_EQ(bufferevent_write(bev, buf, n), 0);
		sent += n;
	}
	return NULL;
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	fprintf(stderr, "timed out with %zu bytes\n", got);
	exit(1);
}

static void one_round(struct event_base *base, int free_first)
{
	struct bufferevent *p[2];
	struct event *guard;
	struct timeval tv = { 20, 0 };
	pthread_t th;
	got = 0;
	CHECK_EQ(bufferevent_pair_new(base, BEV_OPT_THREADSAFE, p), 0);
	CHECK(bufferevent_pair_get_partner(p[0]) == p[1]);
	bufferevent_setcb(p[1], on_read, NULL, NULL, base);
	bufferevent_enable(p[1], EV_READ);
	/* keeps the loop alive while the writer runs; also bounds the test */
	guard = evtimer_new(base, on_timeout, NULL);
	CHECK(guard != NULL);
	CHECK_EQ(evtimer_add(guard, &tv), 0);
	CHECK_EQ(pthread_create(&th, NULL, writer, p[0]), 0);
	CHECK_EQ(event_base_dispatch(base), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	SAY("round %d: got %zu bytes in order", free_first, got);
	event_free(guard);
	/* let callbacks the writer queued run out first: a queued callback holds its side */
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
	bufferevent_free(p[free_first]);
	SAY("  partner of the survivor: %s", bufferevent_pair_get_partner(p[!free_first]) ? "set" : "null");
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
	bufferevent_lock(p[!free_first]);
	SAY("  survivor still locks; write %d", bufferevent_write(p[!free_first], "x", 1));
	bufferevent_unlock(p[!free_first]);
	bufferevent_free(p[!free_first]);
	CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
}

int main(void)
{
	struct event_base *base;
	CHECK_EQ(evthread_use_pthreads(), 0);
	base = event_base_new();
	CHECK(base != NULL);
	one_round(base, 0);
	one_round(base, 1);
	event_base_free(base);
	SAY("ok");
	return 0;
}
