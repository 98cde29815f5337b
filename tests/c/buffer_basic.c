/* evbuffer basics: new/free, add/prepend/drain/remove/copyout/copyout_from, get_length,
 * get_contiguous_space, pullup (whole, partial, too much, empty), expand, add_iovec, huge sizes
 * rejected, zero-length operations, and the compat macros EVBUFFER_LENGTH/EVBUFFER_DATA. */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <stdint.h>
#include <string.h>
#include "check.h"

/* Prints the buffer's length and its bytes (non-printables as \xNN), without changing it. */
static void show(const char *what, struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b), i;
	char *tmp = malloc(n + 1);
	ev_ssize_t got;
	CHECK(tmp);
	got = evbuffer_copyout(b, tmp, n);
	CHECK_EQ(got, (ev_ssize_t)n);
	printf("%s: len=%zu \"", what, n);
	for (i = 0; i < n && i < 200; i++) {
		unsigned char c = (unsigned char)tmp[i];
		if (c >= 32 && c < 127 && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("%s\"\n", n > 200 ? "..." : "");
	free(tmp);
}

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	char out[64];
	unsigned char *p;
	ev_ssize_t n;
	int r;
	CHECK(b);

	SAY("new: len=%zu contiguous=%zu", evbuffer_get_length(b), evbuffer_get_contiguous_space(b));
	p = evbuffer_pullup(b, -1);
	SAY("pullup(-1) on empty -> %s", p ? "ptr" : "NULL");
	p = evbuffer_pullup(b, 0);
	SAY("pullup(0) on empty -> %s", p ? "ptr" : "NULL");
	p = evbuffer_pullup(b, 1);
	SAY("pullup(1) on empty -> %s", p ? "ptr" : "NULL");
	SAY("copyout on empty -> %zd", evbuffer_copyout(b, out, sizeof(out)));
	SAY("remove on empty -> %d", evbuffer_remove(b, out, sizeof(out)));
	SAY("drain on empty -> %d", evbuffer_drain(b, 10));
	SAY("add 0 bytes -> %d len=%zu", evbuffer_add(b, "", 0), evbuffer_get_length(b));
	SAY("prepend 0 bytes -> %d len=%zu", evbuffer_prepend(b, "", 0), evbuffer_get_length(b));

	r = evbuffer_add(b, "hello", 5);
	SAY("add hello -> %d", r);
	SAY("contiguous after one add = %zu", evbuffer_get_contiguous_space(b));
	r = evbuffer_add(b, " world", 6);
	SAY("add world -> %d", r);
	show("after adds", b);
	r = evbuffer_prepend(b, ">> ", 3);
	SAY("prepend -> %d", r);
	show("after prepend", b);
	CHECK_EQ(EVBUFFER_LENGTH(b), 14);
	CHECK(memcmp(EVBUFFER_DATA(b), ">> hello world", 14) == 0);
	SAY("EVBUFFER_LENGTH=%zu EVBUFFER_DATA ok", EVBUFFER_LENGTH(b));
	SAY("contiguous after pullup = %zu", evbuffer_get_contiguous_space(b));

	/* copyout leaves the buffer alone, also when asking for more than there is */
	memset(out, 0, sizeof(out));
	n = evbuffer_copyout(b, out, 5);
	SAY("copyout 5 -> %zd \"%s\"", n, out);
	memset(out, 0, sizeof(out));
	n = evbuffer_copyout(b, out, sizeof(out));
	SAY("copyout 64 -> %zd \"%s\"", n, out);
	show("after copyouts", b);

	/* copyout_from at a position */
	{
		struct evbuffer_ptr pos;
		CHECK_EQ(evbuffer_ptr_set(b, &pos, 9, EVBUFFER_PTR_SET), 0);
		memset(out, 0, sizeof(out));
		n = evbuffer_copyout_from(b, &pos, out, 3);
		SAY("copyout_from 9 len 3 -> %zd \"%s\"", n, out);
		memset(out, 0, sizeof(out));
		n = evbuffer_copyout_from(b, &pos, out, 100);
		SAY("copyout_from 9 len 100 -> %zd \"%s\"", n, out);
		memset(out, 0, sizeof(out));
		n = evbuffer_copyout_from(b, NULL, out, 2);
		SAY("copyout_from NULL len 2 -> %zd \"%s\"", n, out);
		CHECK_EQ(evbuffer_ptr_set(b, &pos, 14, EVBUFFER_PTR_SET), 0);
		n = evbuffer_copyout_from(b, &pos, out, 4);
		SAY("copyout_from end len 4 -> %zd", n);
	}

	/* remove / drain */
	memset(out, 0, sizeof(out));
	r = evbuffer_remove(b, out, 3);
	SAY("remove 3 -> %d \"%s\"", r, out);
	show("after remove", b);
	r = evbuffer_drain(b, 6);
	SAY("drain 6 -> %d", r);
	show("after drain", b);
	memset(out, 0, sizeof(out));
	r = evbuffer_remove(b, out, sizeof(out));
	SAY("remove 64 -> %d \"%s\"", r, out);
	show("after remove all", b);

	/* pullup: whole, partial, more than available */
	evbuffer_add(b, "abc", 3);
	evbuffer_add(b, "defgh", 5);
	evbuffer_prepend(b, "01", 2);
	p = evbuffer_pullup(b, 4);
	CHECK(p);
	SAY("pullup 4 -> \"%.4s\" contiguous>=4 %d", (char *)p, evbuffer_get_contiguous_space(b) >= 4);
	p = evbuffer_pullup(b, 11);
	SAY("pullup 11 (len 10) -> %s", p ? "ptr" : "NULL");
	p = evbuffer_pullup(b, -1);
	CHECK(p);
	SAY("pullup -1 -> \"%.10s\" contiguous=%zu", (char *)p, evbuffer_get_contiguous_space(b));
	show("after pullups", b);

	/* drain more than there is */
	r = evbuffer_drain(b, 1000);
	SAY("drain 1000 -> %d", r);
	show("after big drain", b);

	/* expand: room grows, length does not */
	r = evbuffer_expand(b, 4096);
	SAY("expand 4096 -> %d len=%zu", r, evbuffer_get_length(b));
	r = evbuffer_expand(b, 0);
	SAY("expand 0 -> %d len=%zu", r, evbuffer_get_length(b));
	{
		struct evbuffer_iovec v[1];
		CHECK_EQ(evbuffer_reserve_space(b, 4096, v, 1), 1);
		CHECK(v[0].iov_len >= 4096);
		SAY("after expand one extent of >= 4096 reservable");
	}
	/* huge sizes */
	r = evbuffer_expand(b, (size_t)-1);
	SAY("expand SIZE_MAX -> %d", r);
	r = evbuffer_expand(b, (size_t)INT64_MAX);
	SAY("expand INT64_MAX -> %d", r);
	evbuffer_add(b, "x", 1);
	r = evbuffer_add(b, "y", (size_t)-1);
	SAY("add SIZE_MAX bytes -> %d len=%zu", r, evbuffer_get_length(b));
	r = evbuffer_add(b, "y", (size_t)-1 - 1);
	SAY("add SIZE_MAX-1 bytes -> %d len=%zu", r, evbuffer_get_length(b));

	/* a large add lands whole */
	{
		size_t big = 300000, i;
		char *data = malloc(big), *back = malloc(big);
		CHECK(data && back);
		for (i = 0; i < big; i++)
			data[i] = (char)(i * 7 + 3);
		CHECK_EQ(evbuffer_add(b, data, big), 0);
		SAY("large add: len=%zu", evbuffer_get_length(b));
		CHECK_EQ(evbuffer_drain(b, 1), 0);
		CHECK_EQ(evbuffer_remove(b, back, big), (int)big);
		SAY("large remove equal=%d len=%zu", memcmp(data, back, big) == 0, evbuffer_get_length(b));
		free(data);
		free(back);
	}

	/* add_iovec */
	{
		struct evbuffer_iovec v[3];
		size_t added;
		v[0].iov_base = "one,"; v[0].iov_len = 4;
		v[1].iov_base = "two,"; v[1].iov_len = 4;
		v[2].iov_base = "three"; v[2].iov_len = 5;
		added = evbuffer_add_iovec(b, v, 3);
		SAY("add_iovec 3 -> %zu", added);
		added = evbuffer_add_iovec(b, v, 0);
		SAY("add_iovec 0 -> %zu", added);
		show("after add_iovec", b);
		SAY("contiguous after add_iovec into empty = %zu", evbuffer_get_contiguous_space(b));
	}

	/* many small adds then byte-by-byte removes keep order */
	{
		int i, ok = 1;
		evbuffer_drain(b, evbuffer_get_length(b));
		for (i = 0; i < 5000; i++) {
			unsigned char c = (unsigned char)i;
			CHECK_EQ(evbuffer_add(b, &c, 1), 0);
		}
		for (i = 0; i < 2000; i++) {
			unsigned char c = (unsigned char)(4999 - i);
			CHECK_EQ(evbuffer_prepend(b, &c, 1), 0);
		}
		SAY("7000 single-byte adds/prepends: len=%zu", evbuffer_get_length(b));
		for (i = 0; i < 7000; i++) {
			unsigned char c;
			CHECK_EQ(evbuffer_remove(b, &c, 1), 1);
			if (i < 2000) {
				if (c != (unsigned char)(4999 - (1999 - i))) ok = 0;
			} else if (c != (unsigned char)(i - 2000)) {
				ok = 0;
			}
		}
		SAY("order kept=%d len=%zu", ok, evbuffer_get_length(b));
	}

	evbuffer_free(b);
	SAY("done");
	return 0;
}
