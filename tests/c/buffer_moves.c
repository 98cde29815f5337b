/* Moving data between evbuffers: add_buffer, remove_buffer (whole, partial, more than there is,
 * zero), prepend_buffer, each of them with the same buffer on both sides and with empty sources;
 * add_buffer_reference (the source keeps its data, later changes on either side stay apart). */
#include <event2/buffer.h>
#include <string.h>
#include "check.h"

#include "buffer_show.h"

static void fill(struct evbuffer *b, const char *s)
{
	evbuffer_drain(b, evbuffer_get_length(b));
	CHECK_EQ(evbuffer_add(b, s, strlen(s)), 0);
}

int main(void)
{
	struct evbuffer *a = evbuffer_new(), *b = evbuffer_new(), *c = evbuffer_new();
	int r;
	CHECK(a && b && c);

	/* add_buffer */
	fill(a, "AAAA");
	fill(b, "bbbbbb");
	r = evbuffer_add_buffer(a, b);
	SAY("add_buffer -> %d", r);
	show("  dst", a);
	show("  src", b);
	r = evbuffer_add_buffer(a, b);
	SAY("add_buffer from empty -> %d", r);
	show("  dst", a);
	r = evbuffer_add_buffer(b, a);
	SAY("add_buffer into empty -> %d", r);
	show("  dst", b);
	show("  src", a);
	r = evbuffer_add_buffer(b, b);
	SAY("add_buffer to itself -> %d", r);
	show("  self", b);

	/* prepend_buffer */
	fill(a, "tail");
	fill(b, "head-");
	r = evbuffer_prepend_buffer(a, b);
	SAY("prepend_buffer -> %d", r);
	show("  dst", a);
	show("  src", b);
	r = evbuffer_prepend_buffer(a, b);
	SAY("prepend_buffer from empty -> %d", r);
	show("  dst", a);
	r = evbuffer_prepend_buffer(b, a);
	SAY("prepend_buffer into empty -> %d", r);
	show("  dst", b);
	show("  src", a);
	r = evbuffer_prepend_buffer(b, b);
	SAY("prepend_buffer to itself -> %d", r);
	show("  self", b);

	/* remove_buffer */
	fill(a, "0123456789");
	fill(b, "xy");
	r = evbuffer_remove_buffer(a, b, 4);
	SAY("remove_buffer 4 -> %d", r);
	show("  src", a);
	show("  dst", b);
	r = evbuffer_remove_buffer(a, b, 0);
	SAY("remove_buffer 0 -> %d", r);
	show("  src", a);
	r = evbuffer_remove_buffer(a, b, 100);
	SAY("remove_buffer 100 -> %d", r);
	show("  src", a);
	show("  dst", b);
	r = evbuffer_remove_buffer(a, b, 5);
	SAY("remove_buffer from empty -> %d", r);
	r = evbuffer_remove_buffer(b, b, 3);
	SAY("remove_buffer to itself -> %d", r);
	show("  self", b);

	/* remove_buffer across several chains (data added in pieces, some large) */
	{
		char big[5000];
		size_t i;
		int ok = 1;
		evbuffer_drain(a, evbuffer_get_length(a));
		evbuffer_drain(b, evbuffer_get_length(b));
		for (i = 0; i < sizeof(big); i++)
			big[i] = (char)('a' + i % 26);
		for (i = 0; i < 10; i++)
			CHECK_EQ(evbuffer_add(a, big, sizeof(big)), 0);
		SAY("pieces: len=%zu", evbuffer_get_length(a));
		r = evbuffer_remove_buffer(a, b, 12345);
		SAY("remove_buffer 12345 -> %d src=%zu dst=%zu", r, evbuffer_get_length(a), evbuffer_get_length(b));
		r = evbuffer_remove_buffer(a, b, 5000);
		SAY("remove_buffer 5000 -> %d src=%zu dst=%zu", r, evbuffer_get_length(a), evbuffer_get_length(b));
		evbuffer_add_buffer(b, a);
		{
			unsigned char *p = evbuffer_pullup(b, -1);
			CHECK(p);
			for (i = 0; i < 50000; i++)
				if (p[i] != (unsigned char)('a' + (i % 5000) % 26))
					ok = 0;
		}
		SAY("reassembled len=%zu bytes-in-order=%d", evbuffer_get_length(b), ok);
		evbuffer_drain(b, evbuffer_get_length(b));
	}

	/* add_buffer_reference */
	fill(a, "shared-data");
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, "<", 1);
	r = evbuffer_add_buffer_reference(b, a);
	SAY("add_buffer_reference -> %d", r);
	show("  outbuf", b);
	show("  inbuf", a);
	evbuffer_add(a, "+more", 5);
	evbuffer_add(b, ">", 1);
	show("  outbuf after both grew", b);
	show("  inbuf after both grew", a);
	evbuffer_drain(a, evbuffer_get_length(a));
	show("  outbuf after inbuf drained", b);
	evbuffer_free(a);
	a = evbuffer_new();
	CHECK(a);
	show("  outbuf after inbuf freed", b);
	r = evbuffer_add_buffer_reference(c, a);
	SAY("add_buffer_reference from empty -> %d len=%zu", r, evbuffer_get_length(c));
	/* a referenced copy can itself be moved and drained */
	r = evbuffer_add_buffer(c, b);
	SAY("add_buffer of referenced data -> %d", r);
	show("  c", c);
	r = evbuffer_drain(c, 3);
	show("  c after drain 3", c);

	evbuffer_free(a);
	evbuffer_free(b);
	evbuffer_free(c);
	SAY("done");
	return 0;
}
