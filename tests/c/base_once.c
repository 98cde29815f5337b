/* event_base_once: timeout-only, immediate (NULL timeout), fd read, fd with a timeout that expires
 * first, rejection of EV_SIGNAL and EV_PERSIST, and an unfired one-shot freed with its base. */
#include <event2/event.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static void cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	SAY("  once cb %s what=0x%x", (const char *)arg, what);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct timeval ten = { 0, 10000 }, thirty = { 0, 30000 }, five = { 5, 0 };
	int sp[2], r;
	CHECK(base);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);

	r = event_base_once(base, -1, EV_TIMEOUT, cb, "timer10", &ten);
	SAY("once timer -> %d", r);
	r = event_base_once(base, -1, EV_TIMEOUT, cb, "timer30", &thirty);
	SAY("once timer -> %d", r);
	r = event_base_once(base, -1, EV_TIMEOUT, cb, "immediate", NULL);
	SAY("once NULL tv -> %d", r);
	SAY("counts added=%d active=%d", event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED),
	    event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE));
	r = event_base_dispatch(base);
	SAY("dispatch -> %d", r);

	r = event_base_once(base, sp[0], EV_READ, cb, "read", NULL);
	SAY("once read -> %d", r);
	CHECK(write(sp[1], "z", 1) == 1);
	r = event_base_dispatch(base);
	SAY("dispatch -> %d", r);

	{
		char c;
		CHECK(read(sp[0], &c, 1) == 1);
	}
	r = event_base_once(base, sp[1], EV_READ, cb, "read-with-timeout", &ten);
	SAY("once read+timeout -> %d", r);
	r = event_base_dispatch(base);
	SAY("dispatch -> %d", r);

	r = event_base_once(base, sp[1], EV_WRITE, cb, "write", &five);
	SAY("once write -> %d", r);
	r = event_base_dispatch(base);
	SAY("dispatch -> %d", r);

	r = event_base_once(base, SIGUSR1, EV_SIGNAL, cb, "signal", NULL);
	SAY("once EV_SIGNAL -> %d", r);
	r = event_base_once(base, sp[0], EV_READ | EV_PERSIST, cb, "persist", NULL);
	SAY("once EV_PERSIST -> %d", r);
	r = event_base_dispatch(base);
	SAY("dispatch after rejected -> %d", r);

	/* never fires: released by event_base_free */
	r = event_base_once(base, sp[0], EV_READ, cb, "never", &five);
	SAY("once never -> %d", r);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("nonblock -> %d", r);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
