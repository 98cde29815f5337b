/* evbuffer_readln with every EVBUFFER_EOL_* style over the same bytes (lines split across
 * chunks, empty lines, embedded NULs reported through n_read_out, a trailing line without EOL
 * left in the buffer), a CR and its LF arriving in separate reads, and the compat
 * evbuffer_readline. */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <string.h>
#include "check.h"

static void print_escaped(const char *s, size_t n)
{
	size_t i;
	putchar('"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 32 && c < 127 && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('"');
}

static void rest(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *tmp = malloc(n + 1);
	CHECK(tmp);
	CHECK_EQ(evbuffer_copyout(b, tmp, n), (ev_ssize_t)n);
	printf("  left %zu: ", n);
	print_escaped(tmp, n);
	printf("\n");
	free(tmp);
}

/* The test data, added in pieces so that EOLs straddle chunk boundaries. */
static void load(struct evbuffer *b)
{
	static const char *const parts[] = { "one\r", "\ntwo\n", "\r\nthree\r", "\r\n\n", "four",
		"\r\n\r", "\nfi", "ve\n", "\n", "six", NULL };
	const char *const *p;
	evbuffer_drain(b, evbuffer_get_length(b));
	for (p = parts; *p; p++)
		CHECK_EQ(evbuffer_add_reference(b, *p, strlen(*p), NULL, NULL), 0);
	CHECK_EQ(evbuffer_add(b, "s\0ev\0en\n\0tail", 13), 0);
}

static void read_all(struct evbuffer *b, enum evbuffer_eol_style st, const char *name)
{
	char *line;
	size_t n;
	SAY("style %s:", name);
	load(b);
	for (;;) {
		n = 999;
		line = evbuffer_readln(b, &n, st);
		if (!line) {
			SAY("  NULL (n_read_out %s)", n == 999 ? "untouched" : "set");
			break;
		}
		CHECK_EQ(line[n], '\0');
		printf("  line %zu ", n);
		print_escaped(line, n);
		printf("\n");
		free(line);
	}
	rest(b);
}

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	char *line;
	size_t n;
	CHECK(b);

	line = evbuffer_readln(b, &n, EVBUFFER_EOL_LF);
	SAY("readln on empty -> %s", line ? "line" : "NULL");
	evbuffer_add(b, "no eol here", 11);
	line = evbuffer_readln(b, &n, EVBUFFER_EOL_ANY);
	SAY("readln without eol -> %s len=%zu", line ? "line" : "NULL", evbuffer_get_length(b));
	line = evbuffer_readln(b, NULL, EVBUFFER_EOL_NUL);
	SAY("readln NUL without NUL -> %s", line ? "line" : "NULL");

	read_all(b, EVBUFFER_EOL_ANY, "ANY");
	read_all(b, EVBUFFER_EOL_CRLF, "CRLF");
	read_all(b, EVBUFFER_EOL_CRLF_STRICT, "CRLF_STRICT");
	read_all(b, EVBUFFER_EOL_LF, "LF");
	read_all(b, EVBUFFER_EOL_NUL, "NUL");

	/* CR now, LF later (as from two network reads) */
	{
		static const enum evbuffer_eol_style styles[] = { EVBUFFER_EOL_ANY, EVBUFFER_EOL_CRLF,
			EVBUFFER_EOL_CRLF_STRICT, EVBUFFER_EOL_LF };
		static const char *names[] = { "ANY", "CRLF", "CRLF_STRICT", "LF" };
		int i;
		for (i = 0; i < 4; i++) {
			evbuffer_drain(b, evbuffer_get_length(b));
			evbuffer_add(b, "abc\r", 4);
			line = evbuffer_readln(b, &n, styles[i]);
			printf("%s split: first read -> ", names[i]);
			if (line)
				print_escaped(line, n);
			else
				printf("NULL");
			free(line);
			evbuffer_add(b, "\ndef\r\n", 6);
			line = evbuffer_readln(b, &n, styles[i]);
			printf(", second -> ");
			if (line)
				print_escaped(line, n);
			else
				printf("NULL");
			printf("\n");
			free(line);
			rest(b);
		}
	}

	/* a long line (longer than any small chunk) */
	{
		char big[10000];
		memset(big, 'L', sizeof(big));
		evbuffer_drain(b, evbuffer_get_length(b));
		evbuffer_add(b, big, 5000);
		evbuffer_add(b, big, 5000);
		evbuffer_add(b, "\r\nx", 3);
		line = evbuffer_readln(b, &n, EVBUFFER_EOL_CRLF_STRICT);
		CHECK(line);
		SAY("long line n=%zu all L=%d strlen=%zu", n, strspn(line, "L") == 10000, strlen(line));
		free(line);
		rest(b);
	}

	/* evbuffer_readline: any CR/LF sequence ends a line */
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, "x1\r\n\r\nx2\nx3\rx4", 14);
	while ((line = evbuffer_readline(b)) != NULL) {
		SAY("readline \"%s\"", line);
		free(line);
	}
	rest(b);

	evbuffer_free(b);
	SAY("done");
	return 0;
}
