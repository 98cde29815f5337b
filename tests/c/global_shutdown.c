/* libevent_global_shutdown after a program used threads, signals and a base: returns, can be
 * called twice, and leaves nothing definitely lost (valgrind on our side). */
// LIBS: -levent_core -levent_pthreads
#include <event2/event.h>
#include <event2/thread.h>
#include <signal.h>
#include <string.h>
#include "check.h"

static int calls;
static void cb(evutil_socket_t fd, short what, void *arg) { (void)fd; (void)what; (void)arg; calls++; }

int main(void)
{
	struct event_base *base;
	struct event *sig, *t;
	struct timeval tv = { 0, 1000 };
	int r;

	r = evthread_use_pthreads();
	SAY("use_pthreads -> %d", r);
	base = event_base_new();
	CHECK(base);
	sig = evsignal_new(base, SIGUSR1, cb, NULL);
	t = evtimer_new(base, cb, NULL);
	event_add(sig, NULL);
	event_add(t, &tv);
	raise(SIGUSR1);
	while (calls < 2)
		CHECK(event_base_loop(base, EVLOOP_ONCE) == 0);
	SAY("callbacks ran: %d", calls);
	event_free(sig);
	event_free(t);
	event_base_free(base);
	libevent_global_shutdown();
	SAY("shutdown once");
	libevent_global_shutdown();
	SAY("shutdown twice");
	SAY("version still answers: %d", strcmp(event_get_version(), "2.1.12-stable") == 0);
	SAY("done");
	return 0;
}
