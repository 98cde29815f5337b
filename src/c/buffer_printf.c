/*
 * evbuffer_add_printf / evbuffer_add_vprintf: format with the C library, append with the public
 * evbuffer_add. Reached through the naked trampolines of src/capi/variadic.rs (see variadic.c).
 * Built only when the library defines evbuffer_add (build/cshim.rs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

struct evbuffer;
int evbuffer_add(struct evbuffer *buf, const void *data, size_t datlen);

/* Most formatted appends are short: they never touch the heap. */
#define STACK_BUF 512

int rsevent_c_evbuffer_add_vprintf(struct evbuffer *buf, const char *fmt, va_list ap)
{
	char small[STACK_BUF];
	char *text = small;
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0) {
		va_end(again);
		return -1;
	}
	if ((size_t)n >= sizeof(small)) {
		/* Too long for the stack: format once more into a buffer of the exact size. */
		text = malloc((size_t)n + 1);
		if (text == NULL) {
			va_end(again);
			return -1;
		}
		if (vsnprintf(text, (size_t)n + 1, fmt, again) != n) {
			free(text);
			va_end(again);
			return -1;
		}
	}
	va_end(again);
	if (evbuffer_add(buf, text, (size_t)n) < 0)
		n = -1;
	if (text != small)
		free(text);
	return n;
}

int rsevent_c_evbuffer_add_printf(struct evbuffer *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rsevent_c_evbuffer_add_vprintf(buf, fmt, ap);
	va_end(ap);
	return n;
}
