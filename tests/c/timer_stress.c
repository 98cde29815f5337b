/* Timer heap under load: 2000 timers with pseudo-random delays (fixed seed) in 0..150 ms, a third
 * of them deleted and a sixth re-added with new delays before dispatch; every remaining timer fires
 * exactly once, in non-decreasing order of the deadline event_pending reported for it. Persistent
 * timers re-arm. */
#include <event2/event.h>
#include <string.h>
#include "check.h"

#define N 2000
static struct event *ev[N];
static long long deadline[N];
static int fired[N], order_ok = 1, nfired;
static long long last;

static unsigned seed = 12345;
static unsigned rnd(void) { seed = seed * 1103515245u + 12345u; return (seed >> 8) & 0xffffff; }

static void cb(evutil_socket_t fd, short what, void *arg)
{
	int i = (int)(long)arg;
	(void)fd;
	CHECK(what == EV_TIMEOUT);
	fired[i]++;
	nfired++;
	if (deadline[i] + 1000 < last)	/* 1 ms slack for the wall-clock conversion */
		order_ok = 0;
	last = deadline[i];
}

static void add(int i)
{
	struct timeval tv, out;
	tv.tv_sec = 0;
	tv.tv_usec = (rnd() % 150) * 1000 + rnd() % 1000;
	CHECK(event_add(ev[i], &tv) == 0);
	CHECK(event_pending(ev[i], EV_TIMEOUT, &out) == EV_TIMEOUT);
	deadline[i] = (long long)out.tv_sec * 1000000 + out.tv_usec;
}

static int pcount;
static void persist_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	if (++pcount == 5)
		event_del(arg);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct event *p;
	struct timeval five = { 0, 5000 };
	int i, deleted = 0, expect = 0, once_each = 1, r;
	CHECK(base);

	for (i = 0; i < N; i++) {
		ev[i] = evtimer_new(base, cb, (void *)(long)i);
		add(i);
	}
	for (i = 0; i < N; i += 3) {
		event_del(ev[i]);
		deleted++;
	}
	for (i = 1; i < N; i += 6)
		add(i);
	SAY("added %d, deleted %d, pending %d", N, deleted, event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED));
	r = event_base_dispatch(base);
	for (i = 0; i < N; i++) {
		int want = (i % 3 == 0) ? 0 : 1;
		expect += want;
		if (fired[i] != want)
			once_each = 0;
	}
	SAY("dispatch -> %d fired %d expected %d each-once %d order %d", r, nfired, expect, once_each, order_ok);

	p = event_new(base, -1, EV_PERSIST, persist_cb, event_self_cbarg());
	event_add(p, &five);
	r = event_base_dispatch(base);
	SAY("persistent timer: dispatch -> %d fired %d", r, pcount);

	for (i = 0; i < N; i++)
		event_free(ev[i]);
	event_free(p);
	event_base_free(base);
	SAY("done");
	return 0;
}
