/* evbuffer_add_reference: the memory is used in place (peek sees the caller's pointer), and the
 * cleanup function runs exactly once with the right data/len/arg: when the bytes are drained
 * (not on a partial drain), when the buffer is freed, when they were moved by add_buffer /
 * remove_buffer / prepend_buffer and then consumed, and never for a NULL cleanup function. */
#include <event2/buffer.h>
#include <string.h>
#include "check.h"

static int calls[8];

static void cleanup(const void *data, size_t len, void *arg)
{
	int id = (int)(long)arg;
	calls[id]++;
	if (id == 7) /* zero-length: only the count is compared, not when it runs */
		return;
	SAY("  cleanup id=%d len=%zu data=\"%.*s\"", id, len, (int)len, (const char *)data);
}

#include "buffer_show.h"

static const char d1[] = "first-ref", d2[] = "second-ref", d3[] = "third", d4[] = "fourth",
		  d5[] = "fifth", d6[] = "sixth", d7[] = "seventh";

int main(void)
{
	struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
	struct evbuffer_iovec v[4];
	int r, i;
	CHECK(a && b);

	/* in place, drained piecewise */
	r = evbuffer_add_reference(a, d1, 9, cleanup, (void *)1L);
	SAY("add_reference -> %d len=%zu", r, evbuffer_get_length(a));
	CHECK_EQ(evbuffer_peek(a, -1, NULL, v, 4), 1);
	SAY("peek points at caller memory: %d len=%zu", v[0].iov_base == (void *)d1, v[0].iov_len);
	SAY("drain 5");
	evbuffer_drain(a, 5);
	show("  after partial drain", a);
	SAY("drain 4");
	evbuffer_drain(a, 4);
	SAY("calls[1]=%d", calls[1]);

	/* freed with the buffer */
	evbuffer_free(b);
	b = evbuffer_new();
	evbuffer_add(b, "pre:", 4);
	r = evbuffer_add_reference(b, d2, 10, cleanup, (void *)2L);
	SAY("add_reference -> %d", r);
	evbuffer_add(b, ":post", 5);
	show("  mixed", b);
	SAY("free");
	evbuffer_free(b);
	SAY("calls[2]=%d", calls[2]);

	/* moved with add_buffer, then drained from the destination */
	b = evbuffer_new();
	CHECK(b);
	evbuffer_add_reference(a, d3, 5, cleanup, (void *)3L);
	SAY("add_buffer a -> b");
	evbuffer_add_buffer(b, a);
	SAY("calls[3]=%d after move", calls[3]);
	show("  b", b);
	SAY("drain b");
	evbuffer_drain(b, evbuffer_get_length(b));
	SAY("calls[3]=%d", calls[3]);

	/* moved with prepend_buffer, then the destination freed */
	evbuffer_add(b, "rest", 4);
	evbuffer_add_reference(a, d4, 6, cleanup, (void *)4L);
	SAY("prepend_buffer a -> b");
	evbuffer_prepend_buffer(b, a);
	show("  b", b);
	SAY("calls[4]=%d after move", calls[4]);

	/* partly moved with remove_buffer: the cleanup waits until every piece is gone */
	evbuffer_drain(b, evbuffer_get_length(b));
	SAY("calls[4]=%d after drain", calls[4]);
	evbuffer_add_reference(a, d5, 5, cleanup, (void *)5L);
	r = evbuffer_remove_buffer(a, b, 2);
	SAY("remove_buffer 2 -> %d", r);
	show("  a", a);
	show("  b", b);
	SAY("drain b");
	evbuffer_drain(b, evbuffer_get_length(b));
	SAY("calls[5]=%d", calls[5]);
	SAY("drain a");
	evbuffer_drain(a, evbuffer_get_length(a));
	SAY("calls[5]=%d", calls[5]);

	/* copied by reference into another buffer: cleanup after both copies are gone */
	evbuffer_add_reference(a, d6, 5, cleanup, (void *)6L);
	r = evbuffer_add_buffer_reference(b, a);
	SAY("add_buffer_reference -> %d", r);
	SAY("drain a");
	evbuffer_drain(a, evbuffer_get_length(a));
	show("  b", b);
	SAY("free b");
	evbuffer_free(b);
	SAY("calls[6]=%d", calls[6]);

	/* NULL cleanup function; removing via evbuffer_remove copies the bytes out */
	{
		char out[16];
		memset(out, 0, sizeof(out));
		r = evbuffer_add_reference(a, d7, 7, NULL, NULL);
		SAY("add_reference NULL cleanup -> %d", r);
		r = evbuffer_remove(a, out, sizeof(out));
		SAY("remove -> %d \"%s\"", r, out);
	}
	/* zero-length reference */
	r = evbuffer_add_reference(a, d7, 0, cleanup, (void *)7L);
	SAY("add_reference len 0 -> %d len=%zu", r, evbuffer_get_length(a));
	evbuffer_free(a);
	SAY("calls[7]=%d after free", calls[7]);

	for (i = 1; i <= 6; i++)
		CHECK_EQ(calls[i], 1);
	SAY("done");
	return 0;
}
