/* Library settings: event_set_log_callback receives the warnings the library emits (counted by
 * severity, not compared by text), event_enable_debug_logging, event_enable_debug_mode with
 * event_debug_unassign, and event_set_fatal_callback called when debug mode catches a misuse
 * (checked in a forked child). */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

static int nlog[4];
static int in_child;

static void log_cb(int severity, const char *msg)
{
	CHECK(severity >= EVENT_LOG_DEBUG && severity <= EVENT_LOG_ERR);
	CHECK(msg != NULL && msg[0] != '\0');
	nlog[severity]++;
}

static void fatal_cb(int err)
{
	SAY("  child: fatal callback called, err nonzero %d, errors logged %d", err != 0, nlog[EVENT_LOG_ERR] > 0);
	fflush(stdout);
	_exit(42);
}

static void show(const char *when)
{
	SAY("%s: debug=%d msg=%d warn=%d err=%d", when, nlog[EVENT_LOG_DEBUG], nlog[EVENT_LOG_MSG],
	    nlog[EVENT_LOG_WARN], nlog[EVENT_LOG_ERR]);
	memset(nlog, 0, sizeof(nlog));
}

static struct event_base *base;
static void reenter_cb(evutil_socket_t fd, short what, void *arg)
{
	int r;
	(void)fd; (void)what; (void)arg;
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("  nested loop -> %d", r);
}

static void nop_cb(evutil_socket_t fd, short what, void *arg) { (void)fd; (void)what; (void)arg; }

int main(void)
{
	struct event ev, *re;
	pid_t pid;
	int status, r;

	event_set_log_callback(log_cb);
	event_set_fatal_callback(fatal_cb);
	event_enable_debug_mode();
	event_enable_debug_logging(EVENT_DBG_NONE);
	(void)in_child;

	base = event_base_new();
	CHECK(base);
	show("base created");

	/* debug mode: assign, unassign, assign again */
	r = event_assign(&ev, base, -1, 0, nop_cb, NULL);
	SAY("assign -> %d", r);
	event_debug_unassign(&ev);
	r = event_assign(&ev, base, -1, 0, nop_cb, NULL);
	SAY("assign after unassign -> %d", r);
	r = event_add(&ev, NULL);
	SAY("add -> %d", r);
	r = event_del(&ev);
	SAY("del -> %d", r);
	event_debug_unassign(&ev);
	show("debug-mode assign/unassign");

	/* warnings */
	event_base_free(NULL);
	show("event_base_free(NULL)");
	r = event_assign(&ev, base, SIGUSR1, EV_SIGNAL | EV_READ, nop_cb, NULL);
	SAY("assign EV_SIGNAL|EV_READ -> %d", r);
	show("bad assign");
	re = event_new(base, -1, 0, reenter_cb, NULL);
	event_active(re, 0, 0);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("outer loop -> %d", r);
	show("re-entrant loop");
	event_free(re);
	{
		struct event nobase;
		memset(&nobase, 0, sizeof(nobase));
		r = event_add(&nobase, NULL);
		SAY("event_add on an event without base -> %d", r);
		show("no base");
	}

	/* debug mode catches adding an event that was never assigned: fatal callback in a child */
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct event zeroed;
		memset(&zeroed, 0, sizeof(zeroed));
		zeroed.ev_base = base;
		r = event_add(&zeroed, NULL);
		SAY("  child: event_add on unassigned event returned %d", r);
		fflush(stdout);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	SAY("child exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	event_set_log_callback(NULL);
	event_set_fatal_callback(NULL);
	event_base_free(base);
	SAY("done");
	return 0;
}
