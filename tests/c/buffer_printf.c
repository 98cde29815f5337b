/* evbuffer_add_printf / evbuffer_add_vprintf: return value is the number of bytes added; ints of
 * every width, strings with precision, chars, doubles, %%, pointers not printed; outputs longer
 * than 4 KiB and than 64 KiB; appending after existing data; empty format; frozen end fails. */
#include <event2/buffer.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include "check.h"

static struct evbuffer *b;

static void take(const char *what, int r)
{
	size_t n = evbuffer_get_length(b);
	char *tmp = malloc(n + 1);
	CHECK(tmp);
	CHECK_EQ(evbuffer_remove(b, tmp, n), (int)n);
	tmp[n] = '\0';
	SAY("%s -> %d len=%zu \"%s\"", what, r, n, n > 200 ? "(long)" : tmp);
	free(tmp);
}

static int via_v(struct evbuffer *buf, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = evbuffer_add_vprintf(buf, fmt, ap);
	va_end(ap);
	return r;
}

int main(void)
{
	int r;
	b = evbuffer_new();
	CHECK(b);

	r = evbuffer_add_printf(b, "%d %i %u %x %X %o", -42, 7, 4000000000u, 0xbeef, 0xbeef, 8);
	take("ints", r);
	r = evbuffer_add_printf(b, "%ld %lld %zu %hd %hhu", -1234567890123L, (long long)INT64_MIN, (size_t)-1,
	    (short)-5, (unsigned char)255);
	take("wide ints", r);
	r = evbuffer_add_printf(b, "[%5d|%-5d|%05d|%+d]", 42, 42, 42, 42);
	take("widths", r);
	r = evbuffer_add_printf(b, "%s/%.3s/%10s/%-4s|%c%c", "abc", "truncated", "right", "l", 'x', 'y');
	take("strings", r);
	r = evbuffer_add_printf(b, "%f %.2f %e %g %g", 3.5, 2.0 / 3.0, 12345.678, 0.0001, 1e20);
	take("doubles", r);
	r = evbuffer_add_printf(b, "100%%");
	take("percent", r);
	r = evbuffer_add_printf(b, "%s", "");
	take("empty", r);
	r = evbuffer_add_printf(b, "no conversions");
	take("plain", r);

	evbuffer_add(b, "head:", 5);
	r = evbuffer_add_printf(b, "%d", 99);
	take("after data", r);

	r = via_v(b, "v %s %d %.1f", "args", 3, 1.25);
	take("vprintf", r);

	/* long outputs */
	{
		char *s = malloc(100001), *back;
		size_t len;
		int ok;
		CHECK(s);
		memset(s, 'q', 100000);
		s[100000] = '\0';
		s[4095] = 'E';
		r = evbuffer_add_printf(b, "<%s>", s + 100000 - 5000);
		SAY("5000-char string -> %d len=%zu", r, evbuffer_get_length(b));
		evbuffer_drain(b, evbuffer_get_length(b));
		r = evbuffer_add_printf(b, "%s|%d", s, 123456);
		len = evbuffer_get_length(b);
		back = (char *)evbuffer_pullup(b, -1);
		ok = back && len == 100007 && memcmp(back, s, 100000) == 0 && memcmp(back + 100000, "|123456", 7) == 0;
		SAY("100000-char string -> %d len=%zu exact=%d", r, len, ok);
		evbuffer_drain(b, len);
		evbuffer_add(b, "pre", 3);
		r = via_v(b, "%s%s", s, s);
		SAY("vprintf 200000 chars after 3 -> %d len=%zu", r, evbuffer_get_length(b));
		evbuffer_drain(b, evbuffer_get_length(b));
		/* many short printfs in a row */
		{
			int i, total = 0;
			for (i = 0; i < 2000; i++)
				total += evbuffer_add_printf(b, "%d,", i);
			SAY("2000 printfs total=%d len=%zu", total, evbuffer_get_length(b));
			back = (char *)evbuffer_pullup(b, 20);
			SAY("starts \"%.20s\"", back);
			evbuffer_drain(b, evbuffer_get_length(b));
		}
		free(s);
	}

	/* frozen end */
	CHECK_EQ(evbuffer_freeze(b, 0), 0);
	r = evbuffer_add_printf(b, "%d", 1);
	SAY("printf on frozen end -> %d len=%zu", r, evbuffer_get_length(b));
	CHECK_EQ(evbuffer_unfreeze(b, 0), 0);

	evbuffer_free(b);
	SAY("done");
	return 0;
}
