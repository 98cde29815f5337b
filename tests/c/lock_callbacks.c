/* evthread_set_lock_callbacks / evthread_set_condition_callbacks / evthread_set_id_callback with
 * counting callbacks built on pthreads: the library uses them (alloc, lock and unlock are called),
 * locks stay balanced, and a cross-thread event_active wakes the loop through them. */
// LIBS: -levent_core -levent_pthreads
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "check.h"

static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
static long n_alloc, n_free, n_lock, n_unlock, n_cond_alloc, n_id;

static void bump(long *c)
{
	pthread_mutex_lock(&count_mu);
	(*c)++;
	pthread_mutex_unlock(&count_mu);
}

static void *lk_alloc(unsigned locktype)
{
	pthread_mutexattr_t attr;
	pthread_mutex_t *m = malloc(sizeof(*m));
	CHECK(m);
	pthread_mutexattr_init(&attr);
	if (locktype & EVTHREAD_LOCKTYPE_RECURSIVE)
		pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(m, &attr);
	pthread_mutexattr_destroy(&attr);
	bump(&n_alloc);
	return m;
}
static void lk_free(void *lock, unsigned locktype)
{
	(void)locktype;
	pthread_mutex_destroy(lock);
	free(lock);
	bump(&n_free);
}
static int lk_lock(unsigned mode, void *lock)
{
	int r = (mode & EVTHREAD_TRY) ? pthread_mutex_trylock(lock) : pthread_mutex_lock(lock);
	if (r == 0)
		bump(&n_lock);
	return r;
}
static int lk_unlock(unsigned mode, void *lock)
{
	(void)mode;
	bump(&n_unlock);
	return pthread_mutex_unlock(lock);
}

static void *cond_alloc(unsigned condtype)
{
	pthread_cond_t *c = malloc(sizeof(*c));
	(void)condtype;
	CHECK(c);
	pthread_cond_init(c, NULL);
	bump(&n_cond_alloc);
	return c;
}
static void cond_free(void *c)
{
	pthread_cond_destroy(c);
	free(c);
}
static int cond_signal(void *c, int broadcast)
{
	return broadcast ? pthread_cond_broadcast(c) : pthread_cond_signal(c);
}
static int cond_wait(void *c, void *lock, const struct timeval *tv)
{
	if (tv) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += tv->tv_sec;
		ts.tv_nsec += tv->tv_usec * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		return pthread_cond_timedwait(c, lock, &ts) == 0 ? 0 : 1;
	}
	return pthread_cond_wait(c, lock) == 0 ? 0 : -1;
}
static unsigned long get_id(void)
{
	bump(&n_id);
	return (unsigned long)pthread_self();
}

static struct event_base *base;
static struct event *target;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)arg;
	SAY("  cb what=0x%x", what);
	event_base_loopbreak(base);
}

static void *helper(void *arg)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	(void)arg;
	nanosleep(&nap, NULL);	/* not synchronisation: the loop may or may not be blocked yet */
	event_active(target, EV_WRITE, 0);
	return NULL;
}

int main(void)
{
	struct evthread_lock_callbacks lcb = { EVTHREAD_LOCK_API_VERSION, EVTHREAD_LOCKTYPE_RECURSIVE,
		lk_alloc, lk_free, lk_lock, lk_unlock };
	struct evthread_condition_callbacks ccb = { EVTHREAD_CONDITION_API_VERSION, cond_alloc, cond_free,
		cond_signal, cond_wait };
	struct event *guard;
	struct timeval ten_s = { 10, 0 };
	pthread_t th;
	int r;

	r = evthread_set_lock_callbacks(&lcb);
	SAY("set_lock_callbacks -> %d", r);
	r = evthread_set_condition_callbacks(&ccb);
	SAY("set_condition_callbacks -> %d", r);
	evthread_set_id_callback(get_id);

	base = event_base_new();
	CHECK(base);
	/* when exactly the first lock is taken is not part of the contract; that locks exist is */
	SAY("after base: alloc>0 %d cond_alloc>0 %d", n_alloc > 0, n_cond_alloc > 0);
	SAY("balanced after base_new: %d", n_lock == n_unlock);

	guard = evtimer_new(base, cb, NULL);
	evtimer_add(guard, &ten_s);
	target = event_new(base, -1, 0, cb, NULL);
	CHECK(pthread_create(&th, NULL, helper, NULL) == 0);
	r = event_base_dispatch(base);
	CHECK(pthread_join(th, NULL) == 0);
	SAY("dispatch -> %d got_break %d", r, event_base_got_break(base));
	SAY("id callback used: %d, lock>0 %d", n_id > 0, n_lock > 0);
	SAY("balanced after loop: %d", n_lock == n_unlock);

	event_free(guard);
	event_free(target);
	event_base_free(base);
	SAY("balanced after free: %d, some locks freed: %d", n_lock == n_unlock, n_free > 0);
	SAY("done");
	return 0;
}
