/* event_finalize / event_free_finalize with EV_FINALIZE events: the finalizer runs from the loop
 * instead of the event's callback, exactly once, including when requested from the event's own
 * callback; freed events leave no leak (checked by valgrind on our side). */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static int fin_calls;

struct holder {
	struct event ev;
	char name[16];
};

static void fin(struct event *ev, void *arg)
{
	fin_calls++;
	SAY("  finalizer for %s, pending=0x%x", (const char *)arg,
	    event_pending(ev, EV_READ | EV_WRITE | EV_TIMEOUT, NULL));
}

static void fin_free_holder(struct event *ev, void *arg)
{
	struct holder *h = (struct holder *)ev;	/* the event is the first member */
	CHECK(arg == h->name);	/* finalizers get the event's callback argument */
	SAY("  holder finalizer for %s", h->name);
	free(h);
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	SAY("  cb %s what=0x%x", (const char *)arg, what);
}

static void self_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = event_base_get_running_event(base);
	int r;
	(void)fd; (void)what;
	r = event_free_finalize(0, self, fin);
	SAY("  cb %s: free_finalize(self) -> %d", (const char *)arg, r);
}

int main(void)
{
	struct event *a, *b;
	struct holder *h;
	int sp[2], r;

	base = event_base_new();
	CHECK(base);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);

	/* finalize a pending, ready event from outside the loop: the finalizer runs, not cb */
	a = event_new(base, sp[0], EV_WRITE | EV_PERSIST | EV_FINALIZE, cb, "a");
	event_add(a, NULL);
	r = event_finalize(0, a, fin);
	SAY("finalize(a) -> %d, pending now 0x%x", r, event_pending(a, EV_WRITE, NULL));
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("loop -> %d fin_calls=%d", r, fin_calls);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("loop again -> %d fin_calls=%d", r, fin_calls);
	event_free(a);

	/* free_finalize from the event's own callback */
	b = event_new(base, sp[1], EV_WRITE | EV_PERSIST | EV_FINALIZE, self_free_cb, "b");
	event_add(b, NULL);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY("loop -> %d fin_calls=%d", r, fin_calls);

	/* free_finalize of an event embedded in a heap struct, finalizer frees the struct */
	h = malloc(sizeof(*h));
	CHECK(h);
	strcpy(h->name, "holder");
	event_assign(&h->ev, base, sp[0], EV_READ | EV_FINALIZE, cb, h->name);
	event_add(&h->ev, NULL);
	r = event_finalize(0, &h->ev, fin_free_holder);
	SAY("finalize(holder) -> %d", r);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("loop -> %d", r);

	/* finalize of a never-added event */
	a = event_new(base, -1, EV_FINALIZE, cb, "c");
	r = event_free_finalize(0, a, fin);
	SAY("free_finalize(unadded) -> %d", r);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("loop -> %d fin_calls=%d", r, fin_calls);

	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
