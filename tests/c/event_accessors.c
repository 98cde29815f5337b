/* struct event basics: event_new/event_assign/event_free, event_initialized, every event_get_*
 * accessor, event_get_assignment, event_self_cbarg, event_get_struct_event_size, and event_pending
 * with its timeval out-parameter. Also checks event_assign stays inside the 128 caller bytes. */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "check.h"

static void cb_a(evutil_socket_t fd, short what, void *arg) { (void)fd; (void)what; (void)arg; }
static void cb_b(evutil_socket_t fd, short what, void *arg) { (void)fd; (void)what; (void)arg; }

struct wrapped {
	unsigned char pre[32];
	struct event ev;
	unsigned char post[32];
};

static int canaries_ok(const struct wrapped *w)
{
	int i;
	for (i = 0; i < 32; i++)
		if (w->pre[i] != 0xA5 || w->post[i] != 0x5A)
			return 0;
	return 1;
}

static long long us(const struct timeval *t) { return (long long)t->tv_sec * 1000000 + t->tv_usec; }

static void show(const char *label, struct event *ev, struct event_base *base, void *arg, int want_fd)
{
	struct event_base *b = NULL;
	evutil_socket_t fd = -2;
	short events = -1;
	event_callback_fn cb = NULL;
	void *a = NULL;
	event_get_assignment(ev, &b, &fd, &events, &cb, &a);
	SAY("%s: fd_ok=%d events=0x%x base_ok=%d cb=%s arg_ok=%d pri=%d | assignment fd_ok=%d events=0x%x base_ok=%d cb=%s arg_ok=%d",
	    label, event_get_fd(ev) == want_fd, event_get_events(ev), event_get_base(ev) == base,
	    event_get_callback(ev) == cb_a ? "a" : event_get_callback(ev) == cb_b ? "b" : "?",
	    event_get_callback_arg(ev) == arg, event_get_priority(ev),
	    fd == want_fd, events, b == base, cb == cb_a ? "a" : cb == cb_b ? "b" : "?", a == arg);
	/* NULL out-pointers are allowed */
	event_get_assignment(ev, NULL, NULL, NULL, NULL, NULL);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct event *ev, *self;
	struct wrapped w;
	struct timeval tv, now, out;
	int sp[2], x = 42, r;
	CHECK(base);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);

	SAY("struct event size %d", (int)event_get_struct_event_size());
	SAY("sizeof(struct event) %d", (int)sizeof(struct event));

	ev = event_new(base, sp[0], EV_READ | EV_PERSIST | EV_ET, cb_a, &x);
	CHECK(ev);
	SAY("event_new initialized %d", event_initialized(ev) != 0);
	show("new", ev, base, &x, sp[0]);

	self = event_new(base, -1, EV_TIMEOUT, cb_b, event_self_cbarg());
	CHECK(self);
	show("self", self, base, self, -1);

	SAY("event_new EV_SIGNAL|EV_READ -> %s",
	    event_new(base, SIGUSR1, EV_SIGNAL | EV_READ, cb_a, NULL) ? "event" : "NULL");

	/* event_assign into caller memory */
	memset(w.pre, 0xA5, sizeof(w.pre));
	memset(w.post, 0x5A, sizeof(w.post));
	memset(&w.ev, 0, sizeof(w.ev));
	SAY("zeroed initialized %d", event_initialized(&w.ev) != 0);
	r = event_assign(&w.ev, base, sp[1], EV_WRITE, cb_b, NULL);
	SAY("assign -> %d initialized %d canaries %d", r, event_initialized(&w.ev) != 0, canaries_ok(&w));
	show("assigned", &w.ev, base, NULL, sp[1]);
	r = event_assign(&w.ev, base, -1, 0, cb_a, event_self_cbarg());
	SAY("re-assign -> %d canaries %d", r, canaries_ok(&w));
	show("reassigned self", &w.ev, base, &w.ev, -1);
	r = event_assign(&w.ev, base, SIGUSR1, EV_SIGNAL | EV_WRITE, cb_a, NULL);
	SAY("assign EV_SIGNAL|EV_WRITE -> %d", r);
	r = event_assign(&w.ev, base, SIGUSR1, EV_SIGNAL | EV_PERSIST, cb_a, NULL);
	SAY("assign signal -> %d", r);
	show("signal", &w.ev, base, NULL, SIGUSR1);

	/* pending with a timeout and the tv out-parameter */
	event_assign(&w.ev, base, sp[1], EV_READ, cb_b, NULL);
	SAY("pending before add: 0x%x", event_pending(&w.ev, EV_READ | EV_WRITE | EV_TIMEOUT | EV_SIGNAL, NULL));
	tv.tv_sec = 2;
	tv.tv_usec = 500000;
	event_add(&w.ev, &tv);
	gettimeofday(&now, NULL);
	SAY("canaries after add %d", canaries_ok(&w));
	SAY("pending(all): 0x%x", event_pending(&w.ev, EV_READ | EV_WRITE | EV_TIMEOUT | EV_SIGNAL, NULL));
	SAY("pending(READ): 0x%x", event_pending(&w.ev, EV_READ, NULL));
	SAY("pending(WRITE): 0x%x", event_pending(&w.ev, EV_WRITE, NULL));
	SAY("pending(TIMEOUT): 0x%x", event_pending(&w.ev, EV_TIMEOUT, NULL));
	memset(&out, 0, sizeof(out));
	r = event_pending(&w.ev, EV_TIMEOUT, &out);
	SAY("pending tv -> 0x%x, about now+2.5s: %d", r, llabs(us(&out) - (us(&now) + 2500000)) < 200000);
	out.tv_sec = 77;
	out.tv_usec = 0;
	r = event_pending(&w.ev, EV_READ, &out);
	SAY("pending(READ) with tv -> 0x%x, tv set: %d", r, out.tv_sec != 77);
	event_del(&w.ev);
	SAY("pending after del: 0x%x canaries %d", event_pending(&w.ev, EV_READ | EV_TIMEOUT, NULL), canaries_ok(&w));
	out.tv_sec = 77;
	r = event_pending(&w.ev, EV_TIMEOUT, &out);
	SAY("pending after del with tv -> 0x%x tv untouched %d", r, out.tv_sec == 77);

	/* persist event without timeout: timeout flag not pending */
	event_add(ev, NULL);
	SAY("persist no-timeout pending: 0x%x", event_pending(ev, EV_READ | EV_WRITE | EV_TIMEOUT, NULL));
	event_del(ev);

	/* signal pending */
	event_assign(&w.ev, base, SIGUSR1, EV_SIGNAL, cb_a, NULL);
	event_add(&w.ev, NULL);
	SAY("signal pending: 0x%x", event_pending(&w.ev, EV_SIGNAL | EV_READ | EV_TIMEOUT, NULL));
	event_del(&w.ev);
	SAY("canaries at end %d", canaries_ok(&w));

	event_free(ev);
	event_free(self);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
