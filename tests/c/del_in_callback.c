/* Deleting, freeing and re-adding events from inside callbacks: the running event itself, other
 * active events of the same batch (they must not run), events sharing the running event's fd, and
 * expired timers of the same batch. */
#include <event2/event.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

enum { NOTHING, DEL_OTHER, FREE_OTHER, FREE_SELF, DEL_SELF, READD_SELF };
struct ctl {
	const char *name;
	int action;
	struct event *self;
	struct event *other;
};

static void cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl *c = arg;
	int r;
	(void)fd;
	SAY("  cb %s what=0x%x", c->name, what);
	switch (c->action) {
	case DEL_OTHER:
		r = event_del(c->other);
		SAY("   del other -> %d", r);
		break;
	case FREE_OTHER:
		event_free(c->other);
		c->other = NULL;
		SAY("   freed other");
		break;
	case FREE_SELF:
		event_free(c->self);
		c->self = NULL;
		SAY("   freed self");
		break;
	case DEL_SELF:
		r = event_del(c->self);
		SAY("   del self -> %d pending 0x%x", r, event_pending(c->self, EV_READ | EV_WRITE | EV_TIMEOUT, NULL));
		break;
	case READD_SELF:
		r = event_add(c->self, NULL);
		SAY("   re-add self -> %d pending 0x%x", r, event_pending(c->self, EV_READ | EV_WRITE | EV_TIMEOUT, NULL));
		c->action = NOTHING;
		break;
	}
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct ctl a = { "a", DEL_OTHER, 0, 0 }, b = { "b", NOTHING, 0, 0 }, c = { "c", FREE_OTHER, 0, 0 },
		   d = { "d", NOTHING, 0, 0 }, e = { "e", FREE_SELF, 0, 0 }, f = { "f", DEL_SELF, 0, 0 },
		   g = { "g", READD_SELF, 0, 0 }, t1 = { "t1", DEL_OTHER, 0, 0 }, t2 = { "t2", NOTHING, 0, 0 };
	struct timeval ten = { 0, 10000 };
	int sp[2], r;
	CHECK(base);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);

	/* a deletes b; both active in the same batch */
	a.self = event_new(base, -1, 0, cb, &a);
	b.self = event_new(base, -1, 0, cb, &b);
	a.other = b.self;
	event_active(a.self, EV_READ, 0);
	event_active(b.self, EV_READ, 0);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("del other: loop -> %d", r);

	/* c frees d, both writers on the same fd */
	c.self = event_new(base, sp[1], EV_WRITE | EV_PERSIST, cb, &c);
	d.self = event_new(base, sp[1], EV_WRITE | EV_PERSIST, cb, &d);
	c.other = d.self;
	event_add(d.self, NULL);
	event_add(c.self, NULL);
	r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	SAY("free other on same fd: loop -> %d (other freed: %d)", r, c.other == NULL);
	if (c.other) {
		/* the reference ran d first; free it ourselves */
		event_free(c.other);
	}
	event_free(c.self);

	/* e frees itself, f deletes itself, g re-adds itself; all on one fd */
	e.self = event_new(base, sp[1], EV_WRITE | EV_PERSIST, cb, &e);
	f.self = event_new(base, sp[1], EV_WRITE | EV_PERSIST, cb, &f);
	g.self = event_new(base, sp[1], EV_WRITE, cb, &g);
	event_add(e.self, NULL);
	event_add(f.self, NULL);
	event_add(g.self, NULL);
	r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	SAY("self ops: loop -> %d", r);
	r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	SAY("self ops again: loop -> %d", r);
	SAY("f pending 0x%x g pending 0x%x", event_pending(f.self, EV_WRITE, NULL), event_pending(g.self, EV_WRITE, NULL));
	event_free(f.self);
	event_free(g.self);

	/* two timers expiring in the same batch; the first deletes the second */
	t1.self = evtimer_new(base, cb, &t1);
	t2.self = evtimer_new(base, cb, &t2);
	t1.other = t2.self;
	event_add(t1.self, &ten);
	event_add(t2.self, &ten);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY("timers: loop -> %d t2 pending 0x%x", r, event_pending(t2.self, EV_TIMEOUT, NULL));
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("after: loop -> %d", r);

	/* freeing the running event from a timer callback */
	event_free(t1.self);
	t1.self = evtimer_new(base, cb, &t1);
	t1.action = FREE_SELF;
	event_add(t1.self, &ten);
	r = event_base_dispatch(base);
	SAY("timer freeing itself: dispatch -> %d", r);

	event_free(a.self);
	event_free(b.self);
	event_free(t2.self);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
