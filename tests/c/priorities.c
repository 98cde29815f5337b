/* Priorities: event_base_priority_init limits, default priority, event_priority_set, and the
 * scheduling rule that one loop iteration runs only the most urgent non-empty priority queue. */
#include <event2/event.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static int iteration;
static struct event *again_ev;
static int again_count;

static int break_in_cb;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = event_base_get_running_event(event_get_base(arg));
	(void)fd;
	SAY("  iter %d: cb pri=%d what=0x%x self=%d", iteration, event_get_priority(arg), what, self == arg);
	if (arg == again_ev && again_count++ < 2) {
		SAY("  re-activating the urgent event");
		event_active(again_ev, EV_TIMEOUT, 0);
	}
	if (break_in_cb) {
		break_in_cb = 0;
		SAY("  loopbreak from the urgent callback");
		event_base_loopbreak(event_get_base(arg));
	}
}

static void drain(struct event_base *base)
{
	int r;
	for (iteration = 1; iteration < 20; iteration++) {
		SAY(" iteration %d (active %d)", iteration,
		    event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE));
		r = event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
		if (r != 0) {
			SAY(" loop returned %d", r);
			break;
		}
		SAY(" loop returned 0, got_break=%d", event_base_got_break(base));
		if (event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE) == 0) {
			SAY(" nothing active");
			break;
		}
	}
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct event *ev[3], *extra, *rd;
	int sp[2], i;
	CHECK(base);

	SAY("priority_init(0) %d", event_base_priority_init(base, 0));
	SAY("priority_init(257) %d", event_base_priority_init(base, EVENT_MAX_PRIORITIES + 1));
	SAY("priority_init(3) %d", event_base_priority_init(base, 3));
	SAY("npriorities %d", event_base_get_npriorities(base));

	for (i = 0; i < 3; i++) {
		ev[i] = event_new(base, -1, 0, cb, event_self_cbarg());
		CHECK(ev[i]);
	}
	SAY("default priority %d", event_get_priority(ev[0]));
	SAY("set pri 0 -> %d", event_priority_set(ev[0], 0));
	SAY("set pri 2 -> %d", event_priority_set(ev[2], 2));
	SAY("set pri 3 -> %d", event_priority_set(ev[1], 3));
	SAY("set pri -1 -> %d", event_priority_set(ev[1], -1));
	SAY("priorities %d %d %d", event_get_priority(ev[0]), event_get_priority(ev[1]), event_get_priority(ev[2]));

	/* activate in reverse priority order */
	event_active(ev[2], EV_READ, 0);
	event_active(ev[1], EV_WRITE, 0);
	event_active(ev[0], EV_TIMEOUT, 0);
	SAY("priority_set on active event -> %d", event_priority_set(ev[2], 1));
	SAY("priority_init with active events -> %d", event_base_priority_init(base, 4));
	SAY("round 1");
	drain(base);

	/* the urgent event re-activates itself; lower ones wait */
	again_ev = ev[0];
	event_active(ev[2], EV_READ, 0);
	event_active(ev[1], EV_READ, 0);
	event_active(ev[0], EV_READ, 0);
	SAY("round 2");
	drain(base);

	/* an fd event at low priority and an active event at high priority */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	CHECK(write(sp[1], "x", 1) == 1);
	rd = event_new(base, sp[0], EV_READ, cb, event_self_cbarg());
	extra = event_new(base, -1, 0, cb, event_self_cbarg());
	event_priority_set(rd, 2);
	event_priority_set(extra, 0);
	event_add(rd, NULL);
	event_active(extra, 0, 0);
	SAY("round 3");
	drain(base);

	/* same priority: FIFO in activation order */
	event_priority_set(ev[0], 1);
	event_priority_set(ev[2], 1);
	again_ev = NULL;
	event_active(ev[2], EV_READ, 0);
	event_active(ev[0], EV_WRITE, 0);
	event_active(ev[1], EV_TIMEOUT, 0);
	SAY("round 4");
	drain(base);

	/* a loopbreak in the urgent callback leaves the others active for the next loop */
	event_priority_set(ev[0], 0);
	event_priority_set(ev[2], 2);
	break_in_cb = 1;
	event_active(ev[1], EV_READ, 0);
	event_active(ev[2], EV_READ, 0);
	event_active(ev[0], EV_READ, 0);
	SAY("round 5");
	drain(base);

	for (i = 0; i < 3; i++)
		event_free(ev[i]);
	event_free(extra);
	event_free(rd);
	close(sp[0]);
	close(sp[1]);
	event_base_free(base);
	SAY("done");
	return 0;
}
