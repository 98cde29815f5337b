/* String helpers: evutil_strtoll (bases 0/8/10/16/36, signs, whitespace, overflow with ERANGE,
 * end pointer), evutil_snprintf / evutil_vsnprintf (return value is the full length, truncation
 * always NUL-terminated, size 0 leaves the buffer alone), evutil_ascii_strcasecmp /
 * evutil_ascii_strncasecmp (only ASCII letters fold; bytes >= 0x80 compared as they are). */
#include <event2/util.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "check.h"

static void strtoll_case(const char *s, int base)
{
	char *end = NULL;
	ev_int64_t v;
	errno = 0;
	v = evutil_strtoll(s, &end, base);
	SAY("strtoll(\"%s\", %d) = %lld end+%d ERANGE=%d", s, base, (long long)v, (int)(end - s), errno == ERANGE);
}

static int vs(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = evutil_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return r;
}

static int sign(int x)
{
	return x < 0 ? -1 : x > 0;
}

static void casecmp(const char *a, const char *b)
{
	int r = evutil_ascii_strcasecmp(a, b);
	printf("strcasecmp(\"");
	for (; *a; a++)
		printf((unsigned char)*a >= 32 && (unsigned char)*a < 127 ? "%c" : "\\x%02x", (unsigned char)*a);
	printf("\", \"");
	for (; *b; b++)
		printf((unsigned char)*b >= 32 && (unsigned char)*b < 127 ? "%c" : "\\x%02x", (unsigned char)*b);
	printf("\") = %d\n", r);
}

int main(void)
{
	char buf[16];
	int r;

	strtoll_case("12345", 10);
	strtoll_case("-12345", 10);
	strtoll_case("+77", 10);
	strtoll_case("   42xyz", 10);
	strtoll_case("0x1F", 16);
	strtoll_case("1F", 16);
	strtoll_case("0x1F", 0);
	strtoll_case("017", 0);
	strtoll_case("017", 8);
	strtoll_case("019", 8);
	strtoll_case("zz", 36);
	strtoll_case("9223372036854775807", 10);
	strtoll_case("9223372036854775808", 10);
	strtoll_case("-9223372036854775808", 10);
	strtoll_case("-9223372036854775809", 10);
	strtoll_case("99999999999999999999999", 0);
	strtoll_case("", 10);
	strtoll_case("abc", 10);
	strtoll_case("-", 10);
	strtoll_case("0x", 16);
	{
		ev_int64_t v = evutil_strtoll("123", NULL, 10);
		SAY("strtoll NULL endptr = %lld", (long long)v);
	}

	memset(buf, 'Z', sizeof(buf));
	r = evutil_snprintf(buf, sizeof(buf), "%d-%s", 42, "abc");
	SAY("snprintf fits -> %d \"%s\"", r, buf);
	memset(buf, 'Z', sizeof(buf));
	r = evutil_snprintf(buf, 8, "%s", "0123456789abcdef");
	SAY("snprintf truncated -> %d \"%s\" byte after nul '%c'", r, buf, buf[8]);
	memset(buf, 'Z', sizeof(buf));
	r = evutil_snprintf(buf, 1, "%s", "abc");
	SAY("snprintf size 1 -> %d first byte %d", r, buf[0]);
	memset(buf, 'Z', sizeof(buf));
	r = evutil_snprintf(buf, 0, "%s", "abc");
	SAY("snprintf size 0 -> %d untouched=%d", r, buf[0] == 'Z');
	r = evutil_snprintf(NULL, 0, "%d%d", 123, 456);
	SAY("snprintf NULL,0 -> %d", r);
	r = evutil_snprintf(buf, sizeof(buf), "%s", "");
	SAY("snprintf empty -> %d \"%s\"", r, buf);
	r = evutil_snprintf(buf, sizeof(buf), "%5.1f|%x|%c|%%", 2.25, 255, 'q');
	SAY("snprintf mixed -> %d \"%s\"", r, buf);
	memset(buf, 'Z', sizeof(buf));
	r = vs(buf, 6, "%s%d", "vs", 12345);
	SAY("vsnprintf truncated -> %d \"%s\"", r, buf);
	r = vs(buf, sizeof(buf), "%ld", -9L);
	SAY("vsnprintf -> %d \"%s\"", r, buf);
	{
		char big[10000];
		char *s = malloc(9000);
		CHECK(s);
		memset(s, 'w', 8999);
		s[8999] = '\0';
		r = evutil_snprintf(big, sizeof(big), "<%s>", s);
		SAY("snprintf 9001 chars -> %d strlen %zu", r, strlen(big));
		r = evutil_snprintf(big, 100, "<%s>", s);
		SAY("snprintf 9001 chars into 100 -> %d strlen %zu", r, strlen(big));
		free(s);
	}

	casecmp("abc", "abc");
	casecmp("ABC", "abc");
	casecmp("abc", "ABD");
	casecmp("abd", "ABC");
	casecmp("ab", "abc");
	casecmp("abc", "ab");
	casecmp("", "");
	casecmp("", "a");
	casecmp("[", "{"); /* not letters: no folding */
	casecmp("@", "`");
	casecmp("Z", "z");
	casecmp("\xc9", "\xe9"); /* Latin-1 E-acute: not folded */
	casecmp("\xe9", "a");
	casecmp("a", "\xe9");
	casecmp("\x80", "\x7f");
	casecmp("\xff", "\xfe");
	casecmp("x\xc3\xa9", "X\xc3\xa9");
	SAY("strncasecmp(\"HELLOx\", \"helloy\", 5) = %d", evutil_ascii_strncasecmp("HELLOx", "helloy", 5));
	SAY("strncasecmp(\"HELLOx\", \"helloy\", 6) = %d", evutil_ascii_strncasecmp("HELLOx", "helloy", 6));
	SAY("strncasecmp(\"abc\", \"xyz\", 0) = %d", evutil_ascii_strncasecmp("abc", "xyz", 0));
	SAY("strncasecmp(\"ab\", \"abc\", 10) = %d", evutil_ascii_strncasecmp("ab", "abc", 10));
	SAY("strncasecmp(\"abc\", \"ABC\", 100) = %d", evutil_ascii_strncasecmp("abc", "ABC", 100));
	SAY("strncasecmp(\"\\xe9x\", \"Ax\", 1) = %d", evutil_ascii_strncasecmp("\xe9x", "Ax", 1));
	SAY("strncasecmp(\"a\\xe9\", \"A\\xc9\", 2) = %d", evutil_ascii_strncasecmp("a\xe9", "A\xc9", 2));
	SAY("sign check %d", sign(evutil_ascii_strcasecmp("b", "A")));
	SAY("done");
	return 0;
}
