/* evbuffer_reserve_space / evbuffer_commit_space with one and two iovecs (commit less than
 * reserved, commit more than reserved, commit nothing, reserve twice, commit after the buffer was
 * changed), and evbuffer_peek: n_vec 0 to count, fewer vecs than needed, a length limit, with a
 * start pointer. Extent counts are printed only where the layout is fixed by references. */
#include <event2/buffer.h>
#include <string.h>
#include "check.h"

#include "buffer_show.h"

static void show_vecs(const char *what, int r, struct evbuffer_iovec *v, int shown)
{
	int i;
	printf("%s -> %d:", what, r);
	for (i = 0; i < r && i < shown; i++)
		printf(" \"%.*s\"", (int)v[i].iov_len, (const char *)v[i].iov_base);
	printf("\n");
}

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	struct evbuffer_iovec v[4], w[4];
	int r, n, i;
	size_t total;
	CHECK(b);

	/* one iovec */
	n = evbuffer_reserve_space(b, 100, v, 1);
	SAY("reserve 100 n_vec=1 -> %d big enough=%d len=%zu", n, v[0].iov_len >= 100, evbuffer_get_length(b));
	CHECK_EQ(n, 1);
	memcpy(v[0].iov_base, "reserved-bytes", 14);
	r = evbuffer_reserve_space(b, 50, w, 1);
	SAY("reserve again -> %d same space=%d", r, w[0].iov_base == v[0].iov_base);
	v[0].iov_len = 8;
	r = evbuffer_commit_space(b, v, 1);
	SAY("commit 8 of it -> %d", r);
	show("  after commit", b);
	r = evbuffer_commit_space(b, v, 0);
	SAY("commit 0 vecs -> %d len=%zu", r, evbuffer_get_length(b));

	/* committing more than was reserved fails */
	n = evbuffer_reserve_space(b, 10, v, 1);
	CHECK_EQ(n, 1);
	v[0].iov_len += 1000000;
	r = evbuffer_commit_space(b, v, 1);
	SAY("commit more than reserved -> %d len=%zu", r, evbuffer_get_length(b));

	/* a pointer that was never reserved */
	{
		char elsewhere[8];
		n = evbuffer_reserve_space(b, 10, v, 1);
		CHECK_EQ(n, 1);
		v[0].iov_base = elsewhere;
		v[0].iov_len = 4;
		r = evbuffer_commit_space(b, v, 1);
		SAY("commit foreign pointer -> %d len=%zu", r, evbuffer_get_length(b));
	}

	/* commit after another operation changed the buffer's end */
	n = evbuffer_reserve_space(b, 10, v, 1);
	CHECK_EQ(n, 1);
	evbuffer_add(b, "X", 1);
	v[0].iov_len = 3; /* (not written to: the add may have used that memory) */
	r = evbuffer_commit_space(b, v, 1);
	SAY("commit after add -> %d", r);
	show("  after", b);

	/* zero / negative / bad arguments */
	r = evbuffer_reserve_space(b, 10, v, 0);
	SAY("reserve n_vec=0 -> %d", r);
	r = evbuffer_reserve_space(b, 0, v, 1);
	SAY("reserve size 0 -> %s", r < 0 ? "-1" : "ok");
	r = evbuffer_reserve_space(b, -5, v, 1);
	SAY("reserve size -5 -> %d", r);

	/* two iovecs: the reservation may be split; fill every byte we got */
	evbuffer_drain(b, evbuffer_get_length(b));
	{
		char small[100];
		memset(small, 'a', sizeof(small));
		evbuffer_add(b, small, sizeof(small));
	}
	n = evbuffer_reserve_space(b, 6000, v, 2);
	total = 0;
	for (i = 0; i < n; i++)
		total += v[i].iov_len;
	CHECK(n >= 1 && n <= 2);
	CHECK(total >= 6000);
	SAY("reserve 6000 n_vec=2 -> 1 or 2 extents, total >= 6000");
	{
		/* write 6000 'b' spread over the extents, commit exactly 6000 */
		size_t left = 6000;
		for (i = 0; i < n; i++) {
			size_t take = v[i].iov_len < left ? v[i].iov_len : left;
			memset(v[i].iov_base, 'b', take);
			v[i].iov_len = take;
			left -= take;
		}
		r = evbuffer_commit_space(b, v, n);
		SAY("commit 6000 -> %d len=%zu", r, evbuffer_get_length(b));
		{
			unsigned char *p = evbuffer_pullup(b, -1);
			int ok = 1;
			size_t k;
			for (k = 0; k < 6100; k++)
				if (p[k] != (k < 100 ? 'a' : 'b'))
					ok = 0;
			SAY("contents ok=%d", ok);
		}
	}

	/* peek: layout fixed by three references */
	evbuffer_drain(b, evbuffer_get_length(b));
	r = evbuffer_peek(b, -1, NULL, NULL, 0);
	SAY("peek empty count -> %d", r);
	r = evbuffer_peek(b, -1, NULL, v, 4);
	SAY("peek empty -> %d", r);
	evbuffer_add_reference(b, "abc", 3, NULL, NULL);
	evbuffer_add_reference(b, "defg", 4, NULL, NULL);
	evbuffer_add_reference(b, "hi", 2, NULL, NULL);
	show("refs", b);
	r = evbuffer_peek(b, -1, NULL, NULL, 0);
	SAY("peek all, count only -> %d", r);
	memset(v, 0, sizeof(v));
	r = evbuffer_peek(b, -1, NULL, v, 4);
	show_vecs("peek all into 4", r, v, 4);
	memset(v, 0, sizeof(v));
	r = evbuffer_peek(b, -1, NULL, v, 2);
	show_vecs("peek all into 2", r, v, 2);
	memset(v, 0, sizeof(v));
	r = evbuffer_peek(b, 5, NULL, v, 4);
	show_vecs("peek 5", r, v, 4);
	r = evbuffer_peek(b, 5, NULL, NULL, 0);
	SAY("peek 5 count -> %d", r);
	memset(v, 0, sizeof(v));
	r = evbuffer_peek(b, 3, NULL, v, 4);
	show_vecs("peek 3", r, v, 4);
	r = evbuffer_peek(b, 0, NULL, v, 4);
	SAY("peek 0 -> %d", r);
	r = evbuffer_peek(b, 100, NULL, v, 4);
	show_vecs("peek 100", r, v, 4);
	{
		struct evbuffer_ptr pos;
		CHECK_EQ(evbuffer_ptr_set(b, &pos, 4, EVBUFFER_PTR_SET), 0);
		memset(v, 0, sizeof(v));
		r = evbuffer_peek(b, -1, &pos, v, 4);
		show_vecs("peek from 4", r, v, 4);
		memset(v, 0, sizeof(v));
		r = evbuffer_peek(b, 1, &pos, v, 4);
		show_vecs("peek 1 from 4", r, v, 4);
		r = evbuffer_peek(b, -1, &pos, NULL, 0);
		SAY("peek count from 4 -> %d", r);
		CHECK_EQ(evbuffer_ptr_set(b, &pos, 7, EVBUFFER_PTR_SET), 0);
		memset(v, 0, sizeof(v));
		r = evbuffer_peek(b, -1, &pos, v, 4);
		show_vecs("peek from 7", r, v, 4);
		CHECK_EQ(evbuffer_ptr_set(b, &pos, 9, EVBUFFER_PTR_SET), 0);
		r = evbuffer_peek(b, -1, &pos, v, 4);
		SAY("peek from end -> %d", r);
	}

	/* peek over ordinary data: extents cover it in order */
	evbuffer_drain(b, evbuffer_get_length(b));
	{
		char chunk[3000];
		struct evbuffer_iovec *vv;
		size_t k, off = 0;
		int ok = 1, cnt;
		for (k = 0; k < 20; k++) {
			memset(chunk, 'A' + (int)k, sizeof(chunk));
			evbuffer_add(b, chunk, sizeof(chunk));
		}
		cnt = evbuffer_peek(b, -1, NULL, NULL, 0);
		CHECK(cnt >= 1);
		vv = calloc((size_t)cnt, sizeof(*vv));
		CHECK(vv);
		CHECK_EQ(evbuffer_peek(b, -1, NULL, vv, cnt), cnt);
		for (i = 0; i < cnt; i++) {
			for (k = 0; k < vv[i].iov_len; k++, off++)
				if (((char *)vv[i].iov_base)[k] != 'A' + (int)(off / 3000))
					ok = 0;
		}
		SAY("peek of 60000 bytes: covered=%zu in order=%d", off, ok);
		free(vv);
	}

	evbuffer_free(b);
	SAY("done");
	return 0;
}
