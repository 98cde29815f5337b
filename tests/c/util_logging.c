/* The header-less logging helpers libevent exports (event_warn, event_warnx, event_msgx,
 * event_sock_warn, event_err, event_errx, event_sock_err) seen through event_set_log_callback:
 * severity and exact text (errno / socket error appended after ": "), formatting, long messages
 * cut to the library's buffer; the fatal ones in forked children, with a fatal callback that
 * exits, one that returns, and none, comparing exit statuses. */
#include <event2/event.h>
#include <event2/util.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

/* exported by libevent_core but declared in no public header */
void event_err(int eval, const char *fmt, ...);
void event_warn(const char *fmt, ...);
void event_sock_err(int eval, evutil_socket_t sock, const char *fmt, ...);
void event_sock_warn(evutil_socket_t sock, const char *fmt, ...);
void event_errx(int eval, const char *fmt, ...);
void event_warnx(const char *fmt, ...);
void event_msgx(const char *fmt, ...);

static const char *sev(int s)
{
	switch (s) {
	case EVENT_LOG_DEBUG: return "debug";
	case EVENT_LOG_MSG: return "msg";
	case EVENT_LOG_WARN: return "warn";
	case EVENT_LOG_ERR: return "err";
	}
	return "?";
}

static void log_cb(int severity, const char *msg)
{
	size_t n = strlen(msg);
	if (n > 120)
		SAY("  log %s: (%zu chars) starts \"%.20s\" ends \"%s\"", sev(severity), n, msg, msg + n - 20);
	else
		SAY("  log %s: \"%s\"", sev(severity), msg);
}

static void fatal_exits(int err)
{
	SAY("  fatal callback err=%d", err);
	fflush(stdout);
	_exit(100 + err);
}

static void fatal_returns(int err)
{
	SAY("  fatal callback err=%d, returning", err);
	fflush(stdout);
}

static void child(int which, int mode)
{
	pid_t pid;
	int status;
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (mode == 1)
			event_set_fatal_callback(fatal_exits);
		else if (mode == 2)
			event_set_fatal_callback(fatal_returns);
		else
			event_set_fatal_callback(NULL);
		errno = EACCES;
		if (which == 0)
			event_err(3, "err %s", "fatal");
		else if (which == 1)
			event_errx(4, "errx %d", 4);
		else
			event_sock_err(5, 0, "sock_err on %d", 0);
		SAY("  still running after fatal log!");
		fflush(stdout);
		_exit(77);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status))
		SAY("child %d mode %d: exit %d", which, mode, WEXITSTATUS(status));
	else
		SAY("child %d mode %d: signal %d", which, mode, WIFSIGNALED(status) ? WTERMSIG(status) : -1);
}

int main(void)
{
	char *big;
	int i;

	event_set_log_callback(log_cb);
	event_msgx("msgx %d %s", 1, "plain");
	event_warnx("warnx %05.1f|%x", 2.5, 0xabc);
	errno = ENOENT;
	event_warn("warn with errno");
	errno = 0;
	event_warn("warn with errno 0");
	errno = ECONNRESET;
	event_sock_warn(7, "sock_warn fd %d", 7);
	errno = EPIPE;
	event_sock_warn(-1, "%s", "");
	event_warnx("%s", "");
	event_msgx("percent %% and tab\there");

	big = malloc(3000);
	CHECK(big);
	for (i = 0; i < 2999; i++)
		big[i] = (char)('a' + i % 26);
	big[2999] = '\0';
	event_warnx("%s", big);
	errno = ENOENT;
	event_warn("%s", big);
	big[1010] = '\0';
	errno = ENOENT;
	event_warn("%s", big);
	free(big);

	event_set_log_callback(NULL);
	SAY("log callback removed (messages go to stderr now)");
	event_msgx("this goes to stderr");
	event_set_log_callback(log_cb);

	for (i = 0; i < 3; i++) {
		child(i, 1);
		child(i, 2);
		child(i, 0);
	}
	SAY("done");
	return 0;
}
