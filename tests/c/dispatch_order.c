/* Callback order within one loop iteration when fd events, expired timers and manually activated
 * events share a priority; events activated from a callback (same and other priority); and
 * event_config_set_max_dispatch_interval's callback limit, which lets a newly ready, more urgent
 * event run between the callbacks of a long low-priority batch. */
#include <event2/event.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event *chain_next;
static int wsock = -1;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	const char *name = arg;
	(void)fd;
	SAY("  %s what=0x%x", name, what);
	if (name[0] == 'A' && chain_next) {
		SAY("   A activates %s", event_get_callback_arg(chain_next) ? (const char *)event_get_callback_arg(chain_next) : "?");
		event_active(chain_next, EV_WRITE, 0);
	}
	if (name[0] == 'A' && wsock >= 0) {
		SAY("   A makes the urgent reader ready");
		CHECK(write(wsock, "u", 1) == 1);
		wsock = -1;
	}
}

static void urgent_cb(evutil_socket_t fd, short what, void *arg)
{
	char c;
	(void)arg;
	CHECK(read(fd, &c, 1) == 1);
	SAY("  URGENT reader what=0x%x", what);
}

static void batch(struct event_base *base, const char *label)
{
	int r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY(" %s: loop -> %d", label, r);
}

int main(void)
{
	struct event_base *base;
	struct event_config *cfg;
	struct event *io, *tm, *act, *a, *b, *c, *ev[5], *urgent;
	struct timeval zero = { 0, 0 };
	int sp[2], uq[2], i, limit;
	static const char *names[5] = { "A", "B", "C", "D", "E" };

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	base = event_base_new();
	CHECK(base);

	/* writer (ready), expired timer and an activated event, all at the default priority */
	io = event_new(base, sp[0], EV_WRITE, cb, "io-writer");
	tm = evtimer_new(base, cb, "timer");
	act = event_new(base, -1, 0, cb, "activated");
	evtimer_add(tm, &zero);
	event_add(io, NULL);
	event_active(act, EV_READ, 0);
	batch(base, "io + timer + active");
	evtimer_add(tm, &zero);
	event_active(act, EV_READ, 0);
	event_add(io, NULL);
	batch(base, "same, added in another order");

	/* activation from a callback: same priority runs in the same batch after the others */
	a = event_new(base, -1, 0, cb, "A");
	b = event_new(base, -1, 0, cb, "B");
	c = event_new(base, -1, 0, cb, "C");
	chain_next = c;
	event_active(a, 0, 0);
	event_active(b, 0, 0);
	batch(base, "A activates C");
	chain_next = NULL;
	event_free(a); event_free(b); event_free(c);
	event_free(io); event_free(tm); event_free(act);
	event_base_free(base);

	/* a low-priority batch of five with an urgent reader that A makes ready */
	for (limit = 0; limit <= 2; limit += 2) {
		cfg = event_config_new();
		if (limit)
			event_config_set_max_dispatch_interval(cfg, NULL, limit, 0);
		base = event_base_new_with_config(cfg);
		event_config_free(cfg);
		CHECK(base);
		event_base_priority_init(base, 2);
		CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, uq) == 0);
		urgent = event_new(base, uq[0], EV_READ | EV_PERSIST, urgent_cb, NULL);
		event_priority_set(urgent, 0);
		event_add(urgent, NULL);
		for (i = 0; i < 5; i++) {
			ev[i] = event_new(base, -1, 0, cb, (void *)names[i]);
			event_priority_set(ev[i], 1);
			event_active(ev[i], 0, 0);
		}
		wsock = uq[1];
		SAY(" max callbacks %d:", limit);
		{
			int r = event_base_loop(base, EVLOOP_ONCE);
			SAY(" loop -> %d", r);
		}
		for (i = 0; i < 5; i++)
			event_free(ev[i]);
		event_free(urgent);
		close(uq[0]);
		close(uq[1]);
		event_base_free(base);
	}
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
