/* evconnlistener accept errors, forced in forked children: with RLIMIT_NOFILE lowered so that
 * accept() fails with EMFILE, the error callback runs with the error in EVUTIL_SOCKET_ERROR();
 * once it raises the limit again the waiting connections are accepted within a bounded number
 * of loop rounds. (Two clients wait: under valgrind, whose descriptor check runs after the
 * system call, the first connection is taken and closed by the failing accept.) Without an error callback a warning is logged instead. The error callback may
 * free the listener. A socket that is not listening (evconnlistener_new with backlog 0) gives
 * EINVAL to the error callback, which disables the listener. */
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static struct rlimit saved;
static int errors, accepted, last_error, warnings;
static char warning[256];

enum { RESTORE, FREE, DISABLE };

static void restore_limit(void)
{
	CHECK(setrlimit(RLIMIT_NOFILE, &saved) == 0);
}

/* The next descriptor the process would get is refused from now on. */
static void exhaust_descriptors(void)
{
	struct rlimit rl;
	int next = dup(0);
	CHECK(next >= 0);
	close(next);
	CHECK(getrlimit(RLIMIT_NOFILE, &saved) == 0);
	rl = saved;
	rl.rlim_cur = next;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(dup(0) == -1 && errno == EMFILE);
}

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
    int socklen, void *arg)
{
	(void)lev;
	(void)sa;
	(void)socklen;
	(void)arg;
	accepted++;
	close(fd);
}

static int mode;

static void error_cb_mode(struct evconnlistener *lev, void *arg)
{
	(void)arg;
	last_error = EVUTIL_SOCKET_ERROR();
	errors++;
	switch (mode) {
	case RESTORE:
		restore_limit();
		break;
	case FREE:
		evconnlistener_free(lev);
		restore_limit();
		break;
	case DISABLE:
		CHECK_EQ(evconnlistener_disable(lev), 0);
		break;
	}
}

static void log_cb(int severity, const char *msg)
{
	if (severity == EVENT_LOG_WARN && strstr(msg, "accept")) {
		warnings++;
		snprintf(warning, sizeof(warning), "%s", msg);
		restore_limit();
	}
}

static struct evconnlistener *listen_local(int flags, struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	struct evconnlistener *lev;
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lev = evconnlistener_new_bind(base, accept_cb, &errors, flags, -1, (struct sockaddr *)addr,
	    sizeof(*addr));
	CHECK(lev != NULL);
	CHECK(getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)addr, &len) == 0);
	return lev;
}

static int connect_to(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	CHECK(connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0);
	return fd;
}

/* Runs the loop until `done` or the loop runs out of events; returns the rounds used. */
static int run_until(int *done, int want)
{
	int rounds = 0;
	while (*done < want) {
		CHECK(++rounds < 100);
		if (event_base_loop(base, EVLOOP_ONCE) != 0)
			break;
	}
	return rounds;
}

static void emfile_with_error_cb(void)
{
	struct sockaddr_in addr;
	struct evconnlistener *lev = listen_local(LEV_OPT_CLOSE_ON_FREE, &addr);
	int c = connect_to(&addr), c2 = connect_to(&addr);
	mode = RESTORE;
	evconnlistener_set_error_cb(lev, error_cb_mode);
	exhaust_descriptors();
	run_until(&accepted, 1);
	SAY("EMFILE, error cb: errors %d (EMFILE %d), then accepted %d", errors, last_error == EMFILE,
	    accepted >= 1);
	close(c);
	close(c2);
	evconnlistener_free(lev);
}

static void emfile_with_warning(void)
{
	struct sockaddr_in addr;
	struct evconnlistener *lev = listen_local(LEV_OPT_CLOSE_ON_FREE, &addr);
	int c = connect_to(&addr), c2 = connect_to(&addr);
	event_set_log_callback(log_cb);
	exhaust_descriptors();
	run_until(&accepted, 1);
	event_set_log_callback(NULL);
	SAY("EMFILE, no error cb: warnings %d \"%s\", then accepted %d", warnings, warning,
	    accepted >= 1);
	close(c);
	close(c2);
	evconnlistener_free(lev);
}

static void emfile_free_in_error_cb(void)
{
	struct sockaddr_in addr;
	struct evconnlistener *lev = listen_local(LEV_OPT_CLOSE_ON_FREE, &addr);
	int c = connect_to(&addr), fd = evconnlistener_get_fd(lev), r;
	mode = FREE;
	evconnlistener_set_error_cb(lev, error_cb_mode);
	exhaust_descriptors();
	r = event_base_loop(base, 0);
	SAY("EMFILE, free in error cb: errors %d, loop -> %d (no events left %d), socket closed %d",
	    errors, r, event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED) == 0,
	    fcntl(fd, F_GETFD) == -1);
	close(c);
}

static void not_listening(void)
{
	struct sockaddr_in addr;
	struct evconnlistener *lev;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), r;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	lev = evconnlistener_new(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE, 0, fd);
	CHECK(lev != NULL);
	mode = DISABLE;
	evconnlistener_set_error_cb(lev, error_cb_mode);
	r = event_base_loop(base, 0);
	SAY("not listening: errors %d (EINVAL %d), loop -> %d", errors, last_error == EINVAL, r);
	evconnlistener_free(lev);
}

/* Each case runs in its own child: the descriptor limit and the logging stay there. */
static void in_child(void (*fn)(void))
{
	pid_t pid;
	int status;
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		base = event_base_new();
		CHECK(base != NULL);
		fn();
		event_base_free(base);
		fflush(stdout);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	in_child(emfile_with_error_cb);
	in_child(emfile_with_warning);
	in_child(emfile_free_in_error_cb);
	in_child(not_listening);
	SAY("done");
	return 0;
}
