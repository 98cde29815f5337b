/* evconnlistener with LEV_OPT_THREADSAFE (evthread_use_pthreads): while the loop runs in the main
 * thread, another thread gives a callback-less listener its callback (the loop wakes and accepts
 * the waiting connection), disables and re-enables it, and frees a second listener. Callbacks run
 * in the loop's thread. */
// LIBS: -levent_core -levent_pthreads
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static struct evconnlistener *lev, *other;
static struct sockaddr_in addr, other_addr;
static pthread_t loop_thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int accepted, in_loop_thread = 1, synced;
static struct event *sync_ev;

/* Runs in the loop thread after every callback activated before it: the accept callback has
 * returned. (libevent's listener deadlocks when another thread disables it while its accept
 * callback is still running, so the test waits for this first.) */
static void sync_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	pthread_mutex_lock(&mu);
	synced++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void sync_with_loop(void)
{
	int want;
	pthread_mutex_lock(&mu);
	want = synced + 1;
	pthread_mutex_unlock(&mu);
	event_active(sync_ev, EV_READ, 0);
	pthread_mutex_lock(&mu);
	while (synced < want)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int socklen,
    void *arg)
{
	(void)sa;
	(void)socklen;
	(void)arg;
	CHECK(l == lev);
	close(fd);
	pthread_mutex_lock(&mu);
	accepted++;
	if (!pthread_equal(pthread_self(), loop_thread))
		in_loop_thread = 0;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void wait_accepted(int n)
{
	pthread_mutex_lock(&mu);
	while (accepted < n)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static int connect_to(const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	CHECK(connect(fd, (const struct sockaddr *)a, sizeof(*a)) == 0);
	return fd;
}

static void *worker(void *arg)
{
	int c1, c2;
	(void)arg;
	c1 = connect_to(&addr);
	evconnlistener_set_cb(lev, accept_cb, NULL);
	wait_accepted(1);
	sync_with_loop();
	CHECK_EQ(evconnlistener_disable(lev), 0);
	CHECK_EQ(evconnlistener_enable(lev), 0);
	c2 = connect_to(&addr);
	wait_accepted(2);
	sync_with_loop();
	evconnlistener_free(other);
	CHECK_EQ(event_base_loopbreak(base), 0);
	close(c1);
	close(c2);
	return NULL;
}

static struct evconnlistener *bind_local(evconnlistener_cb cb, struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	struct evconnlistener *l;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = evconnlistener_new_bind(base, cb, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_THREADSAFE, -1,
	    (struct sockaddr *)a, sizeof(*a));
	CHECK(l != NULL);
	CHECK(getsockname(evconnlistener_get_fd(l), (struct sockaddr *)a, &len) == 0);
	return l;
}

int main(void)
{
	pthread_t t;
	int r;

	CHECK(evthread_use_pthreads() == 0);
	base = event_base_new();
	CHECK(base != NULL);
	loop_thread = pthread_self();
	lev = bind_local(NULL, &addr);
	other = bind_local(accept_cb, &other_addr);
	sync_ev = event_new(base, -1, 0, sync_cb, NULL);
	CHECK(sync_ev != NULL);
	CHECK(pthread_create(&t, NULL, worker, NULL) == 0);
	r = event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
	CHECK(pthread_join(t, NULL) == 0);
	SAY("loop -> %d, broke %d, accepted %d, callbacks in the loop thread %d", r,
	    event_base_got_break(base), accepted, in_loop_thread);
	SAY("events left %d", event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED));
	evconnlistener_free(lev);
	event_free(sync_ev);
	event_base_free(base);
	SAY("done");
	return 0;
}
