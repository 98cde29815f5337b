/* Signals: evsignal_new/add/del with raise(), the callback runs from the loop (not the handler)
 * with EV_SIGNAL, several events on one signal, repeated deliveries counted for EV_PERSIST, the
 * program's previous handler restored after the last event_del (checked with sigaction). */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <signal.h>
#include <string.h>
#include "check.h"

static struct event_base *base;
static volatile sig_atomic_t my_handler_calls;
static int calls;

static void my_handler(int sig) { (void)sig; my_handler_calls++; }

static void cb(evutil_socket_t sig, short what, void *arg)
{
	calls++;
	SAY("  cb %s sig_ok=%d what=0x%x in_loop=%d", (const char *)arg, sig == SIGUSR1 || sig == SIGUSR2, what,
	    event_base_get_running_event(base) != NULL);
}

static void handler_is(const char *label, void (*h)(int))
{
	struct sigaction sa;
	CHECK(sigaction(SIGUSR1, NULL, &sa) == 0);
	SAY("%s: handler is mine=%d default=%d", label, sa.sa_handler == h, sa.sa_handler == SIG_DFL);
}

int main(void)
{
	struct event *s1, *s2, *sp;
	struct event assigned;
	struct sigaction sa;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = my_handler;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);

	base = event_base_new();
	CHECK(base);
	handler_is("before add", my_handler);

	s1 = evsignal_new(base, SIGUSR1, cb, "s1");
	CHECK(s1);
	SAY("event_get_signal %d", event_get_signal(s1) == SIGUSR1);
	r = evsignal_add(s1, NULL);
	SAY("evsignal_add -> %d pending 0x%x", r, evsignal_pending(s1, NULL));
	handler_is("after add", my_handler);

	raise(SIGUSR1);
	SAY("after raise: my handler calls %d, event calls %d", (int)my_handler_calls, calls);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY("loop -> %d calls=%d pending 0x%x", r, calls, evsignal_pending(s1, NULL));

	/* evsignal_new makes persistent events; add a one-shot one too */
	s2 = evsignal_new(base, SIGUSR1, cb, "s2");
	sp = event_new(base, SIGUSR1, EV_SIGNAL, cb, "oneshot");
	evsignal_add(s1, NULL);
	evsignal_add(s2, NULL);
	evsignal_add(sp, NULL);
	calls = 0;
	raise(SIGUSR1);
	raise(SIGUSR1);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY("three events, two raises: loop -> %d calls=%d", r, calls);
	SAY("oneshot pending 0x%x, s1 0x%x", evsignal_pending(sp, NULL), evsignal_pending(s1, NULL));

	/* the program's handler comes back only when the last event on the signal is deleted */
	evsignal_del(s1);
	handler_is("after deleting s1 (s2 left)", my_handler);
	evsignal_del(s2);
	handler_is("after deleting the last", my_handler);
	raise(SIGUSR1);
	SAY("raise after del: my handler calls %d", (int)my_handler_calls);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("loop -> %d calls=%d", r, calls);

	/* evsignal_assign on caller memory, SIGUSR2 whose previous handler is the default */
	r = evsignal_assign(&assigned, base, SIGUSR2, cb, "assigned");
	SAY("evsignal_assign -> %d", r);
	evsignal_add(&assigned, NULL);
	calls = 0;
	raise(SIGUSR2);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY("SIGUSR2 loop -> %d calls=%d", r, calls);
	evsignal_del(&assigned);
	{
		struct sigaction cur;
		sigaction(SIGUSR2, NULL, &cur);
		SAY("SIGUSR2 back to default: %d", cur.sa_handler == SIG_DFL);
	}

	/* a signal event with a timeout that expires first */
	{
		struct timeval ten = { 0, 10000 };
		event_assign(&assigned, base, SIGUSR2, EV_SIGNAL, cb, "sig-with-timeout");
		evsignal_add(&assigned, &ten);
		calls = 0;
		r = event_base_loop(base, EVLOOP_ONCE);
		SAY("signal timeout: loop -> %d calls=%d pending 0x%x", r, calls,
		    event_pending(&assigned, EV_SIGNAL | EV_TIMEOUT, NULL));
	}

	event_free(s1);
	event_free(s2);
	event_free(sp);
	event_base_free(base);
	handler_is("after base free", my_handler);
	SAY("done");
	return 0;
}
