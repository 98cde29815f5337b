/* event_add / event_del / event_del_noblock / event_del_block / event_remove_timer / event_active:
 * re-adding moves a timeout, add(NULL) keeps an existing timeout, deleting before dispatch, active
 * on pending and on unadded events, merged flags when activated twice. */
#include <event2/event.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "check.h"

static struct timeval start;

static long long ms_since_start(void)
{
	struct timeval now, d;
	gettimeofday(&now, NULL);
	evutil_timersub(&now, &start, &d);
	return d.tv_sec * 1000LL + d.tv_usec / 1000;
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	SAY("  cb %s what=0x%x", (const char *)arg, what);
}

static void loop_once(struct event_base *base, const char *label)
{
	int r = event_base_loop(base, EVLOOP_ONCE);
	SAY(" %s: loop -> %d", label, r);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct event *t1, *t2, *rd, *p;
	struct timeval five = { 5, 0 }, short_tv = { 0, 20000 }, mid = { 0, 80000 }, zero = { 0, 0 };
	int sp[2], r;
	CHECK(base);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);

	t1 = evtimer_new(base, cb, "t1");
	t2 = evtimer_new(base, cb, "t2");
	rd = event_new(base, sp[0], EV_READ, cb, "rd");
	p = event_new(base, sp[0], EV_READ | EV_PERSIST, cb, "p");

	/* re-adding with a shorter timeout moves it earlier */
	gettimeofday(&start, NULL);
	event_add(t1, &five);
	event_add(t1, &short_tv);
	loop_once(base, "moved earlier");
	SAY(" fired well before 5s: %d", ms_since_start() < 2000);

	/* re-adding with a longer timeout moves it later */
	event_add(t1, &short_tv);
	event_add(t2, &mid);
	event_add(t1, &five);
	loop_once(base, "moved later");
	SAY(" t1 still pending: 0x%x", event_pending(t1, EV_TIMEOUT, NULL));

	/* add(NULL) on an event with a timeout keeps that timeout */
	event_add(rd, &five);
	event_add(rd, NULL);
	SAY(" rd after add(NULL): 0x%x", event_pending(rd, EV_READ | EV_TIMEOUT, NULL));
	/* event_remove_timer keeps the io part */
	r = event_remove_timer(rd);
	SAY(" remove_timer -> %d, now 0x%x", r, event_pending(rd, EV_READ | EV_TIMEOUT, NULL));
	r = event_remove_timer(t1);
	SAY(" remove_timer on timer -> %d, now 0x%x", r, event_pending(t1, EV_READ | EV_TIMEOUT, NULL));
	event_del(rd);

	/* event_del variants */
	SAY(" del non-pending -> %d", event_del(rd));
	event_add(rd, NULL);
	r = event_del(rd);
	SAY(" del -> %d", r);
	r = event_del(rd);
	SAY(" del twice -> %d", r);
	event_add(rd, NULL);
	r = event_del_noblock(rd);
	SAY(" del_noblock -> %d pending 0x%x", r, event_pending(rd, EV_READ, NULL));
	event_add(rd, NULL);
	r = event_del_block(rd);
	SAY(" del_block -> %d pending 0x%x", r, event_pending(rd, EV_READ, NULL));

	/* deleting an event whose fd is ready, before the loop: no callback */
	CHECK(write(sp[1], "x", 1) == 1);
	event_add(rd, NULL);
	event_del(rd);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY(" deleted ready event, NONBLOCK loop -> %d (no callback expected)", r);

	/* active on an event that was never added */
	event_active(rd, EV_WRITE, 0);
	loop_once(base, "active unadded");
	/* active twice merges the flags, one callback */
	event_active(rd, EV_READ, 0);
	event_active(rd, EV_TIMEOUT, 0);
	loop_once(base, "active twice");
	/* several flags at once */
	event_active(rd, EV_READ | EV_WRITE | EV_TIMEOUT, 3);
	loop_once(base, "active with several flags");
	/* active, then deleted: no callback */
	event_active(rd, EV_READ, 0);
	SAY(" active event pending(EV_READ) 0x%x", event_pending(rd, EV_READ, NULL));
	event_del(rd);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY(" active then deleted: loop -> %d", r);

	/* active on a pending non-persistent event: it runs once with the given flags and is no
	 * longer pending afterwards; a pending persistent one stays pending */
	event_add(t2, &five);
	event_active(t2, EV_WRITE, 0);
	loop_once(base, "active on pending timer");
	SAY(" t2 pending after: 0x%x", event_pending(t2, EV_TIMEOUT, NULL));
	{
		char buf[8];
		CHECK(read(sp[0], buf, sizeof(buf)) == 1);
	}
	event_add(p, NULL);
	event_active(p, EV_TIMEOUT, 0);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY(" active on pending persistent: loop -> %d, still pending 0x%x", r, event_pending(p, EV_READ, NULL));
	event_del(p);

	/* a zero timeout fires on the next iteration with EV_TIMEOUT */
	event_add(t1, &zero);
	loop_once(base, "zero timeout");

	/* an fd event with a zero timeout whose fd is also ready */
	CHECK(write(sp[1], "y", 1) == 1);
	event_add(rd, &zero);
	loop_once(base, "ready fd + zero timeout");

	event_free(t1);
	event_free(t2);
	event_free(rd);
	event_free(p);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
