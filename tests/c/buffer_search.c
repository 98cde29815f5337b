/* Positions and searching: evbuffer_ptr_set SET/ADD (end of buffer allowed, past it -1),
 * evbuffer_search (from a start, across chunk boundaries, not found, empty needle),
 * evbuffer_search_range (end before/at/after the match), evbuffer_search_eol and evbuffer_find.
 * Chunk boundaries are forced with add_reference so matches straddle them. */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <string.h>
#include "check.h"

static struct evbuffer *b;

static void chunks(const char *const *parts)
{
	evbuffer_drain(b, evbuffer_get_length(b));
	for (; *parts; parts++)
		CHECK_EQ(evbuffer_add_reference(b, *parts, strlen(*parts), NULL, NULL), 0);
}

static void search(const char *what, size_t start)
{
	struct evbuffer_ptr s, r;
	if (start == (size_t)-1) {
		r = evbuffer_search(b, what, strlen(what), NULL);
		SAY("search \"%s\" from NULL -> %zd", what, r.pos);
	} else {
		CHECK_EQ(evbuffer_ptr_set(b, &s, start, EVBUFFER_PTR_SET), 0);
		r = evbuffer_search(b, what, strlen(what), &s);
		SAY("search \"%s\" from %zu -> %zd", what, start, r.pos);
	}
	if (r.pos >= 0) {
		/* the returned pointer is usable: copy out from it */
		char tmp[16];
		size_t n = strlen(what) < sizeof(tmp) ? strlen(what) : sizeof(tmp) - 1;
		memset(tmp, 0, sizeof(tmp));
		CHECK_EQ(evbuffer_copyout_from(b, &r, tmp, n), (ev_ssize_t)n);
		CHECK(memcmp(tmp, what, n) == 0);
	}
}

static void range(const char *what, size_t start, size_t end)
{
	struct evbuffer_ptr s, e, r;
	CHECK_EQ(evbuffer_ptr_set(b, &s, start, EVBUFFER_PTR_SET), 0);
	CHECK_EQ(evbuffer_ptr_set(b, &e, end, EVBUFFER_PTR_SET), 0);
	r = evbuffer_search_range(b, what, strlen(what), &s, &e);
	SAY("search_range \"%s\" [%zu,%zu) -> %zd", what, start, end, r.pos);
}

static const char *style_name(enum evbuffer_eol_style st)
{
	switch (st) {
	case EVBUFFER_EOL_ANY: return "ANY";
	case EVBUFFER_EOL_CRLF: return "CRLF";
	case EVBUFFER_EOL_CRLF_STRICT: return "CRLF_STRICT";
	case EVBUFFER_EOL_LF: return "LF";
	case EVBUFFER_EOL_NUL: return "NUL";
	}
	return "?";
}

static void eols(enum evbuffer_eol_style st)
{
	struct evbuffer_ptr p, r;
	size_t eol_len;
	printf("search_eol %s:", style_name(st));
	CHECK_EQ(evbuffer_ptr_set(b, &p, 0, EVBUFFER_PTR_SET), 0);
	for (;;) {
		eol_len = 12345;
		r = evbuffer_search_eol(b, &p, &eol_len, st);
		if (r.pos < 0) {
			printf(" end(eol_len %s)\n", eol_len == 12345 ? "untouched" : "set");
			break;
		}
		printf(" %zd+%zu", r.pos, eol_len);
		if (evbuffer_ptr_set(b, &r, eol_len, EVBUFFER_PTR_ADD) < 0) {
			printf(" add-failed\n");
			break;
		}
		p = r;
	}
}

int main(void)
{
	struct evbuffer_ptr p;
	int r;
	b = evbuffer_new();
	CHECK(b);

	/* ptr_set on empty */
	r = evbuffer_ptr_set(b, &p, 0, EVBUFFER_PTR_SET);
	SAY("empty: set 0 -> %d pos=%zd", r, p.pos);
	r = evbuffer_ptr_set(b, &p, 1, EVBUFFER_PTR_SET);
	SAY("empty: set 1 -> %d", r);

	{
		const char *parts[] = { "hello ", "wor", "ld, hello", " again", NULL };
		chunks(parts); /* "hello world, hello again" (24 bytes) */
	}
	r = evbuffer_ptr_set(b, &p, 7, EVBUFFER_PTR_SET);
	SAY("set 7 -> %d pos=%zd", r, p.pos);
	r = evbuffer_ptr_set(b, &p, 3, EVBUFFER_PTR_ADD);
	SAY("add 3 -> %d pos=%zd", r, p.pos);
	r = evbuffer_ptr_set(b, &p, 14, EVBUFFER_PTR_ADD);
	SAY("add 14 (to end) -> %d pos=%zd", r, p.pos);
	r = evbuffer_ptr_set(b, &p, 1, EVBUFFER_PTR_ADD);
	SAY("add 1 past end -> %d pos=%zd", r, p.pos);
	r = evbuffer_ptr_set(b, &p, 24, EVBUFFER_PTR_SET);
	SAY("set 24 (end) -> %d pos=%zd", r, p.pos);
	r = evbuffer_ptr_set(b, &p, 25, EVBUFFER_PTR_SET);
	SAY("set 25 -> %d pos=%zd", r, p.pos);
	r = evbuffer_ptr_set(b, &p, (size_t)-1, EVBUFFER_PTR_SET);
	SAY("set SIZE_MAX -> %d pos=%zd", r, p.pos);
	CHECK_EQ(evbuffer_ptr_set(b, &p, 5, EVBUFFER_PTR_SET), 0);
	r = evbuffer_ptr_set(b, &p, (size_t)-1, EVBUFFER_PTR_ADD);
	SAY("add SIZE_MAX -> %d pos=%zd", r, p.pos);
	{
		/* a pointer walked one byte at a time reads every byte */
		char all[25], c;
		int i;
		CHECK_EQ(evbuffer_ptr_set(b, &p, 0, EVBUFFER_PTR_SET), 0);
		for (i = 0; i < 24; i++) {
			CHECK_EQ(evbuffer_copyout_from(b, &p, &c, 1), 1);
			all[i] = c;
			CHECK_EQ(evbuffer_ptr_set(b, &p, 1, EVBUFFER_PTR_ADD), 0);
		}
		all[24] = '\0';
		SAY("walked: \"%s\" pos=%zd", all, p.pos);
	}

	search("hello", (size_t)-1);
	search("hello", 0);
	search("hello", 1);
	search("world", (size_t)-1); /* straddles two chunks */
	search("o world, h", (size_t)-1); /* straddles three */
	search("hello again", 3);
	search("again", 19);
	search("again", 20);
	search("nothing", (size_t)-1);
	search("n", 24);
	search("hello world, hello again!", (size_t)-1);
	search("h", 13);
	{
		struct evbuffer_ptr rr = evbuffer_search(b, "", 0, NULL);
		SAY("search empty needle -> %zd", rr.pos);
	}

	range("hello", 0, 24);
	range("hello", 1, 24);
	range("hello", 1, 18);
	range("hello", 1, 17);
	range("world", 0, 11);
	range("world", 0, 10);
	range("again", 0, 24);
	range("again", 19, 24);
	{
		struct evbuffer_ptr s, rr;
		CHECK_EQ(evbuffer_ptr_set(b, &s, 2, EVBUFFER_PTR_SET), 0);
		rr = evbuffer_search_range(b, "again", 5, &s, NULL);
		SAY("search_range \"again\" [2,NULL) -> %zd", rr.pos);
	}

	/* search_eol over each style, lines split across chunks */
	{
		const char *parts[] = { "a\r", "\nb\n", "\r", "c\r\r\n", "\n", "d", "\0e", NULL };
		chunks(parts);
		evbuffer_add(b, "\0f\n", 3); /* embedded NUL: add does not stop at it */
	}
	SAY("eol data len=%zu", evbuffer_get_length(b));
	eols(EVBUFFER_EOL_ANY);
	eols(EVBUFFER_EOL_CRLF);
	eols(EVBUFFER_EOL_CRLF_STRICT);
	eols(EVBUFFER_EOL_LF);
	eols(EVBUFFER_EOL_NUL);
	{
		struct evbuffer_ptr rr = evbuffer_search_eol(b, NULL, NULL, EVBUFFER_EOL_LF);
		SAY("search_eol LF NULL start NULL len -> %zd", rr.pos);
		rr = evbuffer_search_eol(b, NULL, NULL, (enum evbuffer_eol_style)42);
		SAY("search_eol unknown style -> %zd", rr.pos);
	}

	/* evbuffer_find (compat): returns a pointer to the match inside the buffer */
	{
		const char *parts[] = { "abc", "def", "ghi", NULL };
		unsigned char *f;
		chunks(parts);
		f = evbuffer_find(b, (const unsigned char *)"efg", 3);
		SAY("find efg -> %s \"%.3s\"", f ? "ptr" : "NULL", f ? (char *)f : "");
		f = evbuffer_find(b, (const unsigned char *)"abc", 3);
		SAY("find abc -> %s \"%.3s\"", f ? "ptr" : "NULL", f ? (char *)f : "");
		f = evbuffer_find(b, (const unsigned char *)"hij", 3);
		SAY("find hij -> %s", f ? "ptr" : "NULL");
		f = evbuffer_find(b, (const unsigned char *)"ghi", 3);
		SAY("find ghi -> %s \"%.3s\"", f ? "ptr" : "NULL", f ? (char *)f : "");
		SAY("len after finds=%zu", evbuffer_get_length(b));
	}
	evbuffer_drain(b, evbuffer_get_length(b));
	SAY("find on empty -> %s", evbuffer_find(b, (const unsigned char *)"x", 1) ? "ptr" : "NULL");

	evbuffer_free(b);
	SAY("done");
	return 0;
}
