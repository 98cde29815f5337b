/* Timeout details: a persistent fd event's timeout restarts when the fd fires; a persistent timer
 * re-added from its callback with another interval; event_add on an activated non-persistent
 * event; a callback re-activating its own non-persistent event.
 * (Not tested: tv_usec >= 1000000, which the reference mangles.) */
#include <event2/event.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static struct timeval t0;
static int sp[2];

static long long ms_since(const struct timeval *from)
{
	struct timeval now, d;
	gettimeofday(&now, NULL);
	evutil_timersub(&now, from, &d);
	return d.tv_sec * 1000LL + d.tv_usec / 1000;
}

static void writer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	CHECK(write(sp[1], "w", 1) == 1);
}

static int preads, ptimeouts;
static void persist_cb(evutil_socket_t fd, short what, void *arg)
{
	if (what & EV_READ) {
		char c;
		CHECK(read(fd, &c, 1) == 1);
		preads++;
		SAY("  persistent reader: EV_READ");
	}
	if (what & EV_TIMEOUT) {
		ptimeouts++;
		/* data at 50 ms + 400 ms timeout restarted at the read: >= 450 ms; without the restart ~400 ms */
		SAY("  persistent reader: EV_TIMEOUT, timeout restarted by the read: %d", ms_since(&t0) >= 430);
		event_del(arg);
	}
}

static int ticks;
static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval longer = { 0, 30000 };
	(void)fd; (void)what;
	ticks++;
	SAY("  tick %d", ticks);
	if (ticks == 2) {
		event_add(arg, &longer);
		SAY("  re-added with 30 ms, pending 0x%x", event_pending(arg, EV_TIMEOUT, NULL));
	}
	if (ticks == 4)
		event_del(arg);
}

static int selfs;
static void self_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	selfs++;
	SAY("  self-activating callback #%d what=0x%x", selfs, what);
	if (selfs < 3)
		event_active(arg, EV_WRITE, 0);
}

static void plain_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	SAY("  %s what=0x%x", (const char *)arg, what);
}

int main(void)
{
	struct event *reader, *writer, *tick, *selfev, *act;
	struct timeval timeout_tv = { 0, 400000 }, data_at = { 0, 50000 }, ten = { 0, 10000 }, five_s = { 5, 0 };
	int r;

	base = event_base_new();
	CHECK(base);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);

	reader = event_new(base, sp[0], EV_READ | EV_PERSIST, persist_cb, event_self_cbarg());
	writer = evtimer_new(base, writer_cb, NULL);
	gettimeofday(&t0, NULL);
	event_add(reader, &timeout_tv);
	event_add(writer, &data_at);
	r = event_base_dispatch(base);
	SAY("persistent reader: dispatch -> %d reads %d timeouts %d", r, preads, ptimeouts);

	tick = event_new(base, -1, EV_PERSIST, tick_cb, event_self_cbarg());
	event_add(tick, &ten);
	r = event_base_dispatch(base);
	SAY("persistent tick: dispatch -> %d ticks %d", r, ticks);

	selfev = event_new(base, -1, 0, self_cb, event_self_cbarg());
	event_active(selfev, EV_READ, 0);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY("self activation: loop -> %d calls %d", r, selfs);

	/* event_add on an active, not yet run, non-persistent event */
	act = event_new(base, -1, 0, plain_cb, "activated-then-added");
	event_active(act, EV_READ, 0);
	event_add(act, &five_s);
	SAY("active+added pending 0x%x", event_pending(act, EV_READ | EV_TIMEOUT, NULL));
	r = event_base_loop(base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
	SAY("after run: loop -> %d pending 0x%x", r, event_pending(act, EV_READ | EV_TIMEOUT, NULL));

	event_del(act);

	event_free(reader);
	event_free(writer);
	event_free(tick);
	event_free(selfev);
	event_free(act);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
