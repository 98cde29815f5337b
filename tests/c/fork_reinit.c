/* event_reinit after fork: in the child, events added before the fork (a pipe reader and a signal)
 * keep working after event_reinit, new events work too, and the parent's base is unaffected. */
#include <event2/event.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static int got;
static int ack_fd;

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[16];
	ssize_t n = read(fd, buf, sizeof(buf));
	SAY("  [%s] read what=0x%x n=%d first=%c", (const char *)arg, what, (int)n, n > 0 ? buf[0] : '-');
	got++;
	CHECK(write(ack_fd, "k", 1) == 1);	/* lets the parent pace its writes */
}

static void sig_cb(evutil_socket_t sig, short what, void *arg)
{
	SAY("  [%s] signal %s what=0x%x", (const char *)arg, sig == SIGUSR1 ? "USR1" : "?", what);
	got++;
}

int main(void)
{
	int a[2], b[2], c[2], status, r;
	struct event *pre, *sig, *post;
	pid_t pid;

	base = event_base_new();
	CHECK(base);
	CHECK(pipe(a) == 0 && pipe(b) == 0 && pipe(c) == 0);
	ack_fd = c[1];
	pre = event_new(base, a[0], EV_READ | EV_PERSIST, read_cb, "pre-fork event");
	sig = evsignal_new(base, SIGUSR1, sig_cb, "child");
	event_add(pre, NULL);
	event_add(sig, NULL);
	SAY("parent before fork: method %s", event_base_get_method(base));
	fflush(stdout);

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		r = event_reinit(base);
		SAY("child: reinit -> %d", r);
		post = event_new(base, b[0], EV_READ, read_cb, "child post-fork event");
		event_add(post, NULL);
		CHECK(write(c[1], "r", 1) == 1);	/* tell the parent we are ready */
		while (got < 2)
			CHECK(event_base_loop(base, EVLOOP_ONCE) == 0);
		raise(SIGUSR1);
		while (got < 3)
			CHECK(event_base_loop(base, EVLOOP_ONCE) == 0);
		SAY("child: all three seen");
		event_free(post);
		event_free(pre);
		event_free(sig);
		event_base_free(base);
		fflush(stdout);
		_exit(0);
	}

	{
		char ch;
		CHECK(read(c[0], &ch, 1) == 1);
	}
	CHECK(write(a[1], "A", 1) == 1);
	{
		char ch;
		CHECK(read(c[0], &ch, 1) == 1);
	}
	CHECK(write(b[1], "B", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	SAY("parent: child exited normally=%d status=%d", WIFEXITED(status), WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* the parent's base still works; the child consumed A, so write again */
	CHECK(write(a[1], "P", 1) == 1);
	got = 0;
	while (got < 1)
		CHECK(event_base_loop(base, EVLOOP_ONCE) == 0);
	event_free(pre);
	event_free(sig);
	event_base_free(base);
	SAY("parent: done");
	return 0;
}
