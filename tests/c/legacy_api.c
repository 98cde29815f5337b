/* The legacy (1.4-style) API from event2/event_compat.h: event_init and the implicit current base,
 * event_set, event_base_set, event_dispatch, event_loop, event_loopexit, event_loopbreak, event_once,
 * event_get_method, event_priority_init, and the evtimer_set / evsignal_set / timeout_* / signal_*
 * macros. */
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/event_struct.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static int calls;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	calls++;
	SAY("  cb %s what=0x%x", (const char *)arg, what);
}

static void breaker(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	SAY("  breaker: event_loopbreak -> %d", event_loopbreak());
}

int main(void)
{
	struct event_base *base, *other;
	struct event t, s, io, b, moved;
	struct timeval ten = { 0, 10000 }, twenty = { 0, 20000 };
	int sp[2], r;

	base = event_init();
	CHECK(base);
	SAY("event_get_method %s", event_get_method());
	SAY("same as base method: %d", event_get_method() == event_base_get_method(base) ||
	    !strcmp(event_get_method(), event_base_get_method(base)));
	r = event_priority_init(2);
	SAY("event_priority_init(2) -> %d npriorities %d", r, event_base_get_npriorities(base));
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);

	/* event_set binds to the current base */
	evtimer_set(&t, cb, "evtimer_set");
	SAY("event_set base is current: %d pri %d", event_get_base(&t) == base, event_get_priority(&t));
	evtimer_add(&t, &ten);
	r = event_dispatch();
	SAY("event_dispatch -> %d calls=%d", r, calls);

	timeout_set(&t, cb, "timeout_set");
	timeout_add(&t, &ten);
	SAY("timeout_pending 0x%x initialized %d", timeout_pending(&t, NULL), timeout_initialized(&t) != 0);
	r = event_loop(EVLOOP_ONCE);
	SAY("event_loop(ONCE) -> %d", r);

	event_set(&io, sp[1], EV_WRITE, cb, "event_set write");
	event_add(&io, NULL);
	r = event_loop(EVLOOP_NONBLOCK);
	SAY("event_loop(NONBLOCK) -> %d", r);

	evsignal_set(&s, SIGUSR1, cb, "evsignal_set");
	evsignal_add(&s, NULL);
	raise(SIGUSR1);
	r = event_loop(EVLOOP_ONCE);
	SAY("signal loop -> %d pending 0x%x", r, evsignal_pending(&s, NULL));
	evsignal_del(&s);
	signal_set(&s, SIGUSR2, cb, "signal_set");
	signal_add(&s, NULL);
	raise(SIGUSR2);
	r = event_loop(EVLOOP_ONCE);
	SAY("signal_set loop -> %d", r);
	signal_del(&s);

	/* event_loopexit with a delay while an idle reader keeps the loop alive */
	event_set(&io, sp[0], EV_READ | EV_PERSIST, cb, "idle");
	event_add(&io, NULL);
	r = event_loopexit(&twenty);
	SAY("event_loopexit -> %d", r);
	r = event_dispatch();
	SAY("dispatch with loopexit -> %d got_exit %d", r, event_base_got_exit(base));

	/* event_loopbreak from a callback */
	event_set(&b, -1, 0, breaker, NULL);
	event_active(&b, 0, 0);
	r = event_dispatch();
	SAY("dispatch with loopbreak -> %d got_break %d", r, event_base_got_break(base));
	event_del(&io);

	/* event_once on the current base */
	r = event_once(-1, EV_TIMEOUT, cb, "event_once", &ten);
	SAY("event_once -> %d", r);
	r = event_dispatch();
	SAY("dispatch -> %d", r);

	/* event_base_set moves a not-yet-added event to another base */
	other = event_base_new();
	CHECK(other);
	evtimer_set(&moved, cb, "moved");
	r = event_base_set(other, &moved);
	SAY("event_base_set -> %d base is other %d", r, event_get_base(&moved) == other);
	evtimer_add(&moved, &ten);
	r = event_base_set(base, &moved);
	SAY("event_base_set on pending event -> %d", r);
	r = event_dispatch();
	SAY("current base dispatch (nothing there) -> %d", r);
	r = event_base_dispatch(other);
	SAY("other base dispatch -> %d", r);

	event_base_free(other);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done calls=%d", calls);
	return 0;
}
