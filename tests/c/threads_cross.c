/* Threads (evthread_use_pthreads): another thread does event_active / event_add / event_del /
 * event_base_loopbreak / event_base_loopexit on a base whose loop is blocked in dispatch; the loop
 * must wake promptly (a 10 s guard timer would show up in the output) and run callbacks in the
 * loop's thread. Also evthread_make_base_notifiable. */
// LIBS: -levent_core -levent_pthreads
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static pthread_t main_thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int loop_running;
static int action;
static struct event *target, *timer_target, *rd_target;
static struct timeval zero = { 0, 0 };

enum { ACTIVATE, ADD_TIMER, ADD_READ, DEL_THEN_BREAK, BREAK, EXIT };

static void cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	SAY("  cb %s what=0x%x in loop thread=%d", (const char *)arg, what,
	    pthread_equal(pthread_self(), main_thread) != 0);
	/* the loop runs with flags 0: stop it once the thread's work arrived */
	event_base_loopbreak(base);
}

/* runs inside the loop: tells the helper thread that the loop is up */
static void started_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	pthread_mutex_lock(&mu);
	loop_running = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

static void *helper(void *arg)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	(void)arg;
	pthread_mutex_lock(&mu);
	while (!loop_running)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	/* give the loop a moment to block in the backend; correctness does not depend on it */
	nanosleep(&nap, NULL);
	switch (action) {
	case ACTIVATE: event_active(target, EV_READ, 0); break;
	case ADD_TIMER: event_add(timer_target, &zero); break;
	case ADD_READ: event_add(rd_target, NULL); break;
	case DEL_THEN_BREAK:
		CHECK(event_del(rd_target) == 0);
		event_base_loopbreak(base);
		break;
	case BREAK: event_base_loopbreak(base); break;
	case EXIT: event_base_loopexit(base, NULL); break;
	}
	return NULL;
}

static void run(const char *label, int act, int flags)
{
	pthread_t th;
	struct event *started = event_new(base, -1, 0, started_cb, NULL);
	struct timeval t0, t1, d;
	int r;
	loop_running = 0;
	action = act;
	CHECK(pthread_create(&th, NULL, helper, NULL) == 0);
	event_active(started, 0, 0);
	gettimeofday(&t0, NULL);
	r = event_base_loop(base, flags);
	gettimeofday(&t1, NULL);
	CHECK(pthread_join(th, NULL) == 0);
	evutil_timersub(&t1, &t0, &d);
	SAY("%s: loop -> %d got_break=%d got_exit=%d prompt=%d", label, r, event_base_got_break(base),
	    event_base_got_exit(base), d.tv_sec < 5);
	event_free(started);
}

int main(void)
{
	struct event *guard;
	struct timeval ten_s = { 10, 0 };
	int sp[2], r;

	main_thread = pthread_self();
	r = evthread_use_pthreads();
	SAY("evthread_use_pthreads -> %d", r);
	base = event_base_new();
	CHECK(base);
	r = evthread_make_base_notifiable(base);
	SAY("make_base_notifiable -> %d", r);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);

	guard = evtimer_new(base, cb, "GUARD (loop did not wake)");
	evtimer_add(guard, &ten_s);
	target = event_new(base, -1, 0, cb, "activated-from-thread");
	timer_target = evtimer_new(base, cb, "timer-added-from-thread");
	rd_target = event_new(base, sp[1], EV_WRITE, cb, "writer-added-from-thread");

	/* the loop blocks after the 'started' callback until the helper acts */
	run("event_active", ACTIVATE, 0);
	run("event_add timer", ADD_TIMER, 0);
	run("event_add writer", ADD_READ, 0);
	run("loopbreak", BREAK, 0);
	run("loopexit", EXIT, 0);
	{
		/* a pending never-ready reader deleted from the thread */
		event_free(rd_target);
		rd_target = event_new(base, sp[0], EV_READ, cb, "never");
		event_add(rd_target, NULL);
		run("del then loopbreak", DEL_THEN_BREAK, 0);
		SAY("reader pending after del: 0x%x", event_pending(rd_target, EV_READ, NULL));
	}

	event_free(guard);
	event_free(target);
	event_free(timer_target);
	event_free(rd_target);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	libevent_global_shutdown();
	SAY("done");
	return 0;
}
