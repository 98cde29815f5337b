/*
 * The C-variadic entry points of the library (stable Rust can neither define a function with
 * `...` nor take a `va_list` apart). Each public name is a Rust naked trampoline in
 * src/capi/variadic.rs that jumps here with every argument register intact; these bodies do the
 * formatting with the C library's vsnprintf and hand the text to Rust.
 *
 * Nothing here is exported by itself: rustc's version script hides symbols that come from
 * static C libraries, so only the trampolines are visible in libevent.so.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Rust side (src/capi/variadic.rs). */
void rsevent_log_msg(int severity, const char *msg);
void rsevent_log_exit(int code) __attribute__((noreturn));

/* Severities of event_set_log_callback (EVENT_LOG_*). */
#define SEV_MSG 1
#define SEV_WARN 2
#define SEV_ERR 3

/* libevent formats log messages into a 1024-byte buffer: longer ones are cut. */
#define LOG_BUF 1024

int rsevent_c_evutil_vsnprintf(char *buf, size_t buflen, const char *format, va_list ap)
{
	int n;

	/* Nothing can be written (not even the NUL): report nothing written. */
	if (buflen == 0)
		return 0;
	n = vsnprintf(buf, buflen, format, ap);
	/* Whatever vsnprintf did, leave a terminated string behind. */
	buf[buflen - 1] = '\0';
	return n;
}

int rsevent_c_evutil_snprintf(char *buf, size_t buflen, const char *format, ...)
{
	va_list ap;
	int n;

	va_start(ap, format);
	n = rsevent_c_evutil_vsnprintf(buf, buflen, format, ap);
	va_end(ap);
	return n;
}

/*
 * Formats a message as libevent's log does: the text (cut to the buffer), then ": <error>"
 * when an error string is given and there is room for at least its separator.
 */
static void log_formatted(int severity, const char *errstr, const char *fmt, va_list ap)
{
	char text[LOG_BUF];
	size_t used;

	if (fmt != NULL)
		rsevent_c_evutil_vsnprintf(text, sizeof(text), fmt, ap);
	else
		text[0] = '\0';
	if (errstr != NULL) {
		used = strlen(text);
		if (used + 3 < sizeof(text))
			rsevent_c_evutil_snprintf(text + used, sizeof(text) - used, ": %s", errstr);
	}
	rsevent_log_msg(severity, text);
}

void rsevent_c_event_err(int eval, const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);

	va_start(ap, fmt);
	log_formatted(SEV_ERR, err, fmt, ap);
	va_end(ap);
	rsevent_log_exit(eval);
}

void rsevent_c_event_warn(const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);

	va_start(ap, fmt);
	log_formatted(SEV_WARN, err, fmt, ap);
	va_end(ap);
}

/* On POSIX systems a socket's error is the thread's errno (evutil_socket_geterror). */
void rsevent_c_event_sock_err(int eval, int sock, const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);

	(void)sock;
	va_start(ap, fmt);
	log_formatted(SEV_ERR, err, fmt, ap);
	va_end(ap);
	rsevent_log_exit(eval);
}

void rsevent_c_event_sock_warn(int sock, const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);

	(void)sock;
	va_start(ap, fmt);
	log_formatted(SEV_WARN, err, fmt, ap);
	va_end(ap);
}

void rsevent_c_event_errx(int eval, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_formatted(SEV_ERR, NULL, fmt, ap);
	va_end(ap);
	rsevent_log_exit(eval);
}

void rsevent_c_event_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_formatted(SEV_WARN, NULL, fmt, ap);
	va_end(ap);
}

void rsevent_c_event_msgx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_formatted(SEV_MSG, NULL, fmt, ap);
	va_end(ap);
}
