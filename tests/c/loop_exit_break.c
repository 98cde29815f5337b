/* event_base_loopexit (with and without delay), event_base_loopbreak, event_base_loopcontinue,
 * and event_base_got_exit / event_base_got_break: which callbacks still run and what loop returns. */
#include <event2/event.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "check.h"

enum { NONE, EXIT_NULL, BREAK, CONTINUE, ACTIVATE_D };
static struct event_base *base;
static struct event *d_ev;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	int action = (int)(long)fd;
	(void)what;
	SAY("  cb %s", (const char *)arg);
	switch (action) {
	case EXIT_NULL: SAY("  loopexit(NULL) -> %d", event_base_loopexit(base, NULL)); break;
	case BREAK: SAY("  loopbreak -> %d", event_base_loopbreak(base)); break;
	case CONTINUE: SAY("  loopcontinue -> %d", event_base_loopcontinue(base)); break;
	case ACTIVATE_D: event_active(d_ev, EV_READ, 0); break;
	}
}

static double ms_since(const struct timeval *t0)
{
	struct timeval now, d;
	evutil_gettimeofday(&now, NULL);
	evutil_timersub(&now, t0, &d);
	return d.tv_sec * 1000.0 + d.tv_usec / 1000.0;
}

static void run(const char *what, int flags)
{
	int r = event_base_loop(base, flags);
	SAY(" %s: loop -> %d got_exit=%d got_break=%d active_left=%d", what, r, event_base_got_exit(base),
	    event_base_got_break(base), event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE));
}

int main(void)
{
	struct event *a, *b, *c, *idle;
	struct timeval t0, thirty = { 0, 30000 }, long_tv = { 5, 0 };
	int sp[2];

	base = event_base_new();
	CHECK(base);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	idle = event_new(base, sp[0], EV_READ | EV_PERSIST, cb, "idle");
	event_add(idle, NULL);
	d_ev = event_new(base, NONE, 0, cb, "D");

	/* loopexit(NULL) from a callback: the rest of the batch still runs */
	a = event_new(base, EXIT_NULL, 0, cb, "A(exit)");
	b = event_new(base, NONE, 0, cb, "B");
	c = event_new(base, ACTIVATE_D, 0, cb, "C(activates D)");
	event_active(a, 0, 0);
	event_active(b, 0, 0);
	event_active(c, 0, 0);
	run("exit in callback", 0);
	event_free(a);
	event_free(c);

	/* loopbreak from a callback: the rest stays active */
	a = event_new(base, BREAK, 0, cb, "A(break)");
	c = event_new(base, NONE, 0, cb, "C");
	event_active(a, 0, 0);
	event_active(b, 0, 0);
	event_active(c, 0, 0);
	run("break in callback", 0);
	run("next loop NONBLOCK", EVLOOP_NONBLOCK);
	event_free(a);

	/* loopcontinue from a callback */
	a = event_new(base, CONTINUE, 0, cb, "A(continue)");
	event_active(a, 0, 0);
	event_active(b, 0, 0);
	event_active(c, 0, 0);
	run("continue in callback, NONBLOCK", EVLOOP_NONBLOCK);
	SAY(" loopcontinue outside loop -> %d", event_base_loopcontinue(base));
	event_free(a);

	/* loopexit(NULL) before the loop starts */
	SAY(" loopexit(NULL) before loop -> %d", event_base_loopexit(base, NULL));
	run("loop after early loopexit(NULL)", 0);

	/* loopexit with a delay: the loop blocks on the idle event until the delay passes */
	evutil_gettimeofday(&t0, NULL);
	SAY(" loopexit(30ms) -> %d", event_base_loopexit(base, &thirty));
	SAY(" loopexit(5s) -> %d", event_base_loopexit(base, &long_tv));
	run("loop with delayed exit", 0);
	SAY(" waited >= 25ms: %d, < 4s: %d", ms_since(&t0) >= 25.0, ms_since(&t0) < 4000.0);

	/* the 5s exit is still pending: it counts as an event; break it with a short one */
	SAY(" pending timeouts count %d", event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED) > 1);
	event_base_loopexit(base, &thirty);
	run("second delayed exit", 0);

	/* loopbreak outside the loop */
	{
		int r = event_base_loopbreak(base);
		SAY(" loopbreak outside -> %d got_break=%d", r, event_base_got_break(base));
	}
	run("after early loopbreak", EVLOOP_NONBLOCK);

	event_free(b);
	event_free(c);
	event_free(d_ev);
	event_free(idle);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
