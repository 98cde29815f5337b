/* Introspection: event_base_get_running_event, event_base_foreach_event (which events it visits,
 * early stop), event_base_dump_events, event_base_get_num_events for each EVENT_BASE_COUNT_* flag
 * and event_base_get_max_events (with and without clearing). */
#include <event2/event.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static const char *labels[16];
static int nlabels;

static void counts(const char *when)
{
	SAY("%s: active=%d virtual=%d added=%d all=%d", when,
	    event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE),
	    event_base_get_num_events(base, EVENT_BASE_COUNT_VIRTUAL),
	    event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED),
	    event_base_get_num_events(base, EVENT_BASE_COUNT_ACTIVE | EVENT_BASE_COUNT_VIRTUAL |
	                                        EVENT_BASE_COUNT_ADDED));
}

static void maxes(const char *when, int clear)
{
	SAY("%s: max active=%d virtual=%d added=%d", when,
	    event_base_get_max_events(base, EVENT_BASE_COUNT_ACTIVE, clear),
	    event_base_get_max_events(base, EVENT_BASE_COUNT_VIRTUAL, clear),
	    event_base_get_max_events(base, EVENT_BASE_COUNT_ADDED, clear));
}

static int visit(const struct event_base *b, const struct event *ev, void *arg)
{
	CHECK(b == base);
	CHECK(nlabels < 16);
	labels[nlabels++] = event_get_callback_arg(ev);
	return arg ? *(int *)arg : 0;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *when)
{
	int i, r;
	nlabels = 0;
	r = event_base_foreach_event(base, visit, NULL);
	qsort(labels, nlabels, sizeof(labels[0]), cmp);
	printf("%s: foreach -> %d visited %d:", when, r, nlabels);
	for (i = 0; i < nlabels; i++)
		printf(" %s", labels[i]);
	printf("\n");
}

static void running_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *me = event_base_get_running_event(base);
	(void)fd; (void)what;
	SAY(" in cb %s: running event is mine: %d", (const char *)event_get_callback_arg(me), event_get_callback_arg(me) == arg);
	counts(" inside callback");
	list(" inside callback");
}

int main(void)
{
	struct event *r1, *r2, *w1, *t1, *act;
	struct timeval sec = { 10, 0 };
	int sp[2], stop = 7;
	FILE *f;
	long sz;

	base = event_base_new();
	CHECK(base);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	counts("empty");
	maxes("empty", 0);
	list("empty");

	r1 = event_new(base, sp[0], EV_READ | EV_PERSIST, running_cb, "r1");
	r2 = event_new(base, sp[0], EV_READ, running_cb, "r2");
	w1 = event_new(base, sp[1], EV_WRITE, running_cb, "w1");
	t1 = evtimer_new(base, running_cb, "t1");
	act = event_new(base, -1, 0, running_cb, "act");
	counts("created");
	event_add(r1, NULL);
	event_add(r2, NULL);
	event_add(w1, &sec);
	event_add(t1, &sec);
	counts("added");
	list("added");
	event_active(act, EV_READ, 0);
	event_active(t1, EV_TIMEOUT, 0);
	counts("activated");
	list("activated");
	maxes("activated", 0);

	nlabels = 0;
	{
		int r = event_base_foreach_event(base, visit, &stop);
		SAY("foreach early stop -> %d visited %d", r, nlabels);
	}

	f = tmpfile();
	CHECK(f);
	event_base_dump_events(base, f);
	fflush(f);
	sz = ftell(f);
	SAY("dump_events wrote something: %d", sz > 0);
	fclose(f);

	/* w1 is writable: it, act and t1 run (r1/r2 have nothing to read) */
	event_base_loop(base, EVLOOP_NONBLOCK);
	counts("after loop");
	list("after loop");
	maxes("after loop (clear)", 1);
	maxes("after clear", 0);

	event_del(r1);
	counts("after del");
	event_free(r1);
	event_free(r2);
	event_free(w1);
	event_free(t1);
	event_free(act);
	counts("after free");
	maxes("after free", 0);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
