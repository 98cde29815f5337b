/* Threads: event_del / event_del_block / event_free called from another thread while the event's
 * callback is running in the loop thread wait until the callback has returned; event_del_noblock
 * and EV_FINALIZE events do not wait; a signal raised in another thread wakes a blocked loop. */
// LIBS: -levent_core -levent_pthreads
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include "check.h"

static struct event_base *base;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int in_cb, release_cb;
static volatile int cb_finished;
static struct event *victim;

enum { DEL, DEL_BLOCK, FREE, DEL_NOBLOCK_FINALIZE };
static int mode;

static void slow_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timespec nap = { 0, 100 * 1000 * 1000 };
	(void)fd; (void)what; (void)arg;
	pthread_mutex_lock(&mu);
	in_cb = 1;
	pthread_cond_broadcast(&cv);
	if (mode == DEL_NOBLOCK_FINALIZE) {
		/* here the helper must get through without waiting for us: wait for it */
		while (!release_cb)
			pthread_cond_wait(&cv, &mu);
	}
	pthread_mutex_unlock(&mu);
	/* widen the window in which a non-waiting delete would be visible */
	if (mode != DEL_NOBLOCK_FINALIZE)
		nanosleep(&nap, NULL);
	cb_finished = 1;
}

static void *helper(void *arg)
{
	int r = 0, finished;
	(void)arg;
	pthread_mutex_lock(&mu);
	while (!in_cb)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	switch (mode) {
	case DEL: r = event_del(victim); break;
	case DEL_BLOCK: r = event_del_block(victim); break;
	case FREE: event_free(victim); victim = NULL; break;
	case DEL_NOBLOCK_FINALIZE: r = event_del_noblock(victim); break;
	}
	finished = cb_finished;
	if (mode == DEL_NOBLOCK_FINALIZE) {
		pthread_mutex_lock(&mu);
		release_cb = 1;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	SAY("  helper: returned %d, callback had finished: %d", r, finished);
	event_base_loopbreak(base);
	return NULL;
}

static void run(const char *label, int m, short extra)
{
	pthread_t th;
	int r;
	mode = m;
	in_cb = release_cb = 0;
	cb_finished = 0;
	victim = event_new(base, -1, EV_PERSIST | extra, slow_cb, NULL);
	event_add(victim, NULL);
	event_active(victim, EV_READ, 0);
	CHECK(pthread_create(&th, NULL, helper, NULL) == 0);
	r = event_base_loop(base, 0);
	CHECK(pthread_join(th, NULL) == 0);
	SAY("%s: loop -> %d", label, r);
	if (victim)
		event_free(victim);
}

static void sig_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)arg;
	SAY("  signal callback what=0x%x", what);
	event_base_loopbreak(base);
}

static void *raiser(void *arg)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	(void)arg;
	nanosleep(&nap, NULL);	/* not synchronisation: the loop may or may not be blocked yet */
	raise(SIGUSR1);
	return NULL;
}

int main(void)
{
	struct event *guard, *sig;
	struct timeval ten_s = { 10, 0 };
	pthread_t th;
	int r;

	CHECK(evthread_use_pthreads() == 0);
	base = event_base_new();
	CHECK(base);
	guard = evtimer_new(base, sig_cb, "guard");
	evtimer_add(guard, &ten_s);

	run("event_del from another thread", DEL, 0);
	run("event_del_block from another thread", DEL_BLOCK, 0);
	run("event_free from another thread", FREE, 0);
	run("event_del_noblock on EV_FINALIZE event", DEL_NOBLOCK_FINALIZE, EV_FINALIZE);

	sig = evsignal_new(base, SIGUSR1, sig_cb, NULL);
	evsignal_add(sig, NULL);
	CHECK(pthread_create(&th, NULL, raiser, NULL) == 0);
	r = event_base_loop(base, 0);
	CHECK(pthread_join(th, NULL) == 0);
	SAY("signal from another thread: loop -> %d", r);

	event_free(sig);
	event_free(guard);
	event_base_free(base);
	SAY("done");
	return 0;
}
