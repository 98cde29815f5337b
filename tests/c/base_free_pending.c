/* event_base_free while events are still added or active (programs do this on their exit paths):
 * no callback runs, the signal handler the program had is restored, and a new base works after. */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event io, tm, sig, act;	/* static: still reachable at exit, never touched again */
static volatile sig_atomic_t mine;
static int calls;

static void my_handler(int s) { (void)s; mine++; }
static void cb(evutil_socket_t fd, short what, void *arg) { (void)fd; (void)what; (void)arg; calls++; }

int main(void)
{
	struct event_base *base;
	struct sigaction sa, cur;
	struct timeval tv = { 0, 1000 };
	int sp[2], r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = my_handler;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);

	base = event_base_new();
	CHECK(base);
	event_assign(&io, base, sp[0], EV_WRITE | EV_PERSIST, cb, NULL);
	event_assign(&tm, base, -1, 0, cb, NULL);
	event_assign(&sig, base, SIGUSR1, EV_SIGNAL | EV_PERSIST, cb, NULL);
	event_assign(&act, base, -1, 0, cb, NULL);
	event_add(&io, NULL);
	event_add(&tm, &tv);
	event_add(&sig, NULL);
	event_active(&act, EV_READ, 0);
	CHECK(sigaction(SIGUSR1, NULL, &cur) == 0);
	SAY("handler replaced while added: %d", cur.sa_handler != my_handler);
	event_base_free(base);
	SAY("callbacks run by base_free: %d", calls);
	CHECK(sigaction(SIGUSR1, NULL, &cur) == 0);
	SAY("handler restored by base_free: %d", cur.sa_handler == my_handler);
	raise(SIGUSR1);
	SAY("my handler called: %d", (int)mine);

	base = event_base_new();
	CHECK(base);
	event_assign(&io, base, sp[1], EV_WRITE, cb, NULL);
	event_add(&io, NULL);
	r = event_base_dispatch(base);
	SAY("new base: dispatch -> %d calls=%d", r, calls);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
