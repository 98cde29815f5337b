/* event_base_loop flags (0, EVLOOP_ONCE, EVLOOP_NONBLOCK, EVLOOP_NO_EXIT_ON_EMPTY) and their
 * return values (0 = exited normally, 1 = no events, -1 = error such as re-entrance). */
#include <event2/event.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static int calls;

static void count_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	calls++;
	SAY("  cb %s what=0x%x", (const char *)arg, what);
}

static struct event_base *g_base;
static void reenter_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	SAY("  nested loop -> %d", event_base_loop(g_base, EVLOOP_NONBLOCK));
	SAY("  nested dispatch -> %d", event_base_dispatch(g_base));
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct event *rd, *t1, *t2, *act, *re;
	struct timeval ten_ms = { 0, 10000 }, twenty_ms = { 0, 20000 }, long_ms = { 0, 500000 };
	int sp[2], r;
	CHECK(base);
	g_base = base;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);

	r = event_base_loop(base, 0);
	SAY("empty loop(0) -> %d", r);
	r = event_base_dispatch(base);
	SAY("empty dispatch -> %d", r);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY("empty ONCE -> %d", r);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("empty NONBLOCK -> %d", r);

	/* a pending, never-ready read event */
	rd = event_new(base, sp[0], EV_READ, count_cb, "rd");
	event_add(rd, NULL);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("NONBLOCK with idle pending event -> %d calls=%d", r, calls);
	r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	SAY("ONCE|NONBLOCK with idle pending event -> %d calls=%d", r, calls);

	/* ONCE waits for the first batch and runs it */
	t1 = evtimer_new(base, count_cb, "t1");
	t2 = evtimer_new(base, count_cb, "t2");
	evtimer_add(t1, &ten_ms);
	evtimer_add(t2, &long_ms);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY("ONCE with timers -> %d calls=%d", r, calls);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY("ONCE again -> %d calls=%d", r, calls);

	/* ready read: NONBLOCK runs it */
	CHECK(write(sp[1], "a", 1) == 1);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("NONBLOCK with ready fd -> %d calls=%d", r, calls);
	SAY("rd pending after non-persistent fire: %d", event_pending(rd, EV_READ, NULL) != 0);
	{
		char c;
		CHECK(read(sp[0], &c, 1) == 1);
	}

	/* loop(0) with only a timer: runs it, then has nothing left -> 1 */
	evtimer_add(t1, &ten_ms);
	r = event_base_loop(base, 0);
	SAY("loop(0) with one timer -> %d calls=%d", r, calls);

	/* NO_EXIT_ON_EMPTY keeps running on an empty base until loopexit */
	SAY("loopexit(20ms) -> %d", event_base_loopexit(base, &twenty_ms));
	r = event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
	SAY("NO_EXIT_ON_EMPTY -> %d got_exit=%d", r,
	    event_base_got_exit(base));
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("got_exit after next loop: loop=%d got_exit=%d", r,
	    event_base_got_exit(base));

	/* NO_EXIT_ON_EMPTY|NONBLOCK returns at once */
	r = event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY | EVLOOP_NONBLOCK);
	SAY("NO_EXIT_ON_EMPTY|NONBLOCK -> %d", r);

	/* an active event with no fd counts as work for ONCE */
	act = event_new(base, -1, 0, count_cb, "act");
	event_active(act, EV_WRITE, 0);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY("ONCE with active event -> %d calls=%d", r, calls);

	/* loopbreak before the loop starts */
	r = event_base_loopbreak(base);
	SAY("loopbreak before loop -> %d got_break=%d", r, event_base_got_break(base));
	event_active(act, EV_READ, 0);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("loop after early loopbreak -> %d calls=%d got_break=%d", r, calls,
	    event_base_got_break(base));

	/* re-entering the loop from a callback is refused */
	re = event_new(base, -1, 0, reenter_cb, NULL);
	event_active(re, EV_READ, 0);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("outer loop -> %d", r);

	event_free(re);
	event_free(act);
	event_free(t1);
	event_free(t2);
	event_free(rd);
	r = event_base_loop(base, 0);
	SAY("after frees loop -> %d", r);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
