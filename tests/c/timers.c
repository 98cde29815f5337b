/* Timers: many timers fire in deadline order regardless of insertion order, equal deadlines keep
 * insertion order, event_base_init_common_timeout (same-duration queue: order, re-adding, mixing with
 * ordinary timers, the returned timeval is accepted by event_add and differs from the input). */
#include <event2/event.h>
#include <string.h>
#include "check.h"

static int fired[64];
static int nfired;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	CHECK(what == EV_TIMEOUT);
	CHECK(nfired < 64);
	fired[nfired++] = (int)(long)arg;
}

static void show(const char *label)
{
	int i;
	printf("%s:", label);
	for (i = 0; i < nfired; i++)
		printf(" %d", fired[i]);
	printf("\n");
	nfired = 0;
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct event *ev[20];
	const struct timeval *common, *common2;
	struct timeval tv, d40 = { 0, 40000 }, d20 = { 0, 20000 };
	/* deadlines in ms, shuffled; ids are the deadlines' ranks */
	static const int ms[10] = { 70, 10, 50, 30, 90, 20, 80, 40, 60, 100 };
	int i, r;
	CHECK(base);

	for (i = 0; i < 10; i++) {
		ev[i] = evtimer_new(base, cb, (void *)(long)ms[i]);
		tv.tv_sec = 0;
		tv.tv_usec = ms[i] * 1000 * 3;	/* 30ms apart: robust under valgrind */
		evtimer_add(ev[i], &tv);
	}
	r = event_base_dispatch(base);
	SAY("dispatch -> %d", r);
	show("deadline order");

	/* equal deadlines added one after another: all fire in one batch */
	tv.tv_sec = 0;
	tv.tv_usec = 20000;
	for (i = 0; i < 5; i++) {
		event_free(ev[i]);
		ev[i] = evtimer_new(base, cb, (void *)(long)(i + 1));
	}
	for (i = 0; i < 5; i++)
		evtimer_add(ev[i], &tv);
	r = event_base_dispatch(base);
	SAY("equal deadlines: dispatch -> %d, all five fired: %d", r, nfired == 5);
	nfired = 0;

	/* common timeouts */
	common = event_base_init_common_timeout(base, &d40);
	CHECK(common);
	SAY("common timeout differs from input: %d", memcmp(common, &d40, sizeof(d40)) != 0);
	common2 = event_base_init_common_timeout(base, &d40);
	SAY("same duration gives the same queue: %d", common2 != NULL && memcmp(common, common2, sizeof(*common)) == 0);
	for (i = 0; i < 10; i++) {
		event_free(ev[i]);
		ev[i] = evtimer_new(base, cb, (void *)(long)(i + 1));
	}
	/* 1..4 on the common queue in order; 5 an ordinary 20ms timer; 2 is re-added (moves to the
	 * back of the queue) */
	for (i = 0; i < 4; i++)
		evtimer_add(ev[i], common);
	evtimer_add(ev[4], &d20);
	evtimer_add(ev[1], common);
	SAY("pending on common queue: 0x%x", event_pending(ev[0], EV_TIMEOUT, NULL));
	r = event_base_dispatch(base);
	SAY("dispatch -> %d, fired %d", r, nfired);
	/* the short one first; the common queue in FIFO order, with the re-added one last */
	show("common order");

	/* the pending tv of a common-timeout event is a normal absolute time */
	evtimer_add(ev[0], common);
	{
		struct timeval out, now;
		evutil_gettimeofday(&now, NULL);
		event_pending(ev[0], EV_TIMEOUT, &out);
		SAY("pending tv sane: %d",
		    out.tv_sec >= now.tv_sec - 1 && out.tv_sec <= now.tv_sec + 2 && out.tv_usec >= 0 && out.tv_usec < 1000000);
	}
	event_del(ev[0]);

	/* deleting from the common queue */
	evtimer_add(ev[0], common);
	evtimer_add(ev[1], common);
	evtimer_add(ev[2], common);
	event_del(ev[1]);
	r = event_base_dispatch(base);
	SAY("after deleting one: dispatch -> %d, fired %d", r, nfired);
	show("fired");

	for (i = 0; i < 10; i++)
		event_free(ev[i]);
	event_base_free(base);
	SAY("done");
	return 0;
}
