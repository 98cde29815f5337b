/* evbuffer callbacks: the evbuffer_cb_info (orig_size, n_added, n_deleted) each kind of change
 * reports (add, prepend, drain, remove, add_buffer on both sides, remove_buffer, printf, commit,
 * read, reference), no call when nothing changed, several callbacks, remove_cb / remove_cb_entry,
 * cb_set_flags / cb_clear_flags with EVBUFFER_CB_ENABLED, a callback removing itself, the legacy
 * evbuffer_setcb, and evbuffer_defer_callbacks (callbacks run later from the loop, merged). */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/event.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static void info_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	SAY("  cb %s: orig=%zu added=%zu deleted=%zu now=%zu", (const char *)arg, info->orig_size,
	    info->n_added, info->n_deleted, evbuffer_get_length(buf));
}

static struct evbuffer_cb_entry *self_entry;
static void self_removing_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	(void)info;
	SAY("  cb %s: removing myself -> %d", (const char *)arg, evbuffer_remove_cb_entry(buf, self_entry));
}

static void legacy_cb(struct evbuffer *buf, size_t old_len, size_t new_len, void *arg)
{
	(void)buf;
	SAY("  legacy %s: old=%zu new=%zu", (const char *)arg, old_len, new_len);
}

static void step(const char *what)
{
	SAY("%s", what);
}

int main(void)
{
	struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
	struct evbuffer_cb_entry *e1, *e2, *e3;
	struct event_base *base;
	char out[64];
	int r, sp[2];
	CHECK(a && b);

	e1 = evbuffer_add_cb(a, info_cb, "A1");
	CHECK(e1);
	step("add 5");
	evbuffer_add(a, "hello", 5);
	step("add 0");
	evbuffer_add(a, "", 0);
	step("prepend 3");
	evbuffer_prepend(a, ">> ", 3);
	step("drain 2");
	evbuffer_drain(a, 2);
	step("drain 0");
	evbuffer_drain(a, 0);
	step("remove 3");
	evbuffer_remove(a, out, 3);
	step("copyout (no change)");
	evbuffer_copyout(a, out, 3);
	step("pullup (no change)");
	evbuffer_pullup(a, -1);
	step("printf");
	evbuffer_add_printf(a, "%d", 12345);
	step("add_reference");
	evbuffer_add_reference(a, "ref", 3, NULL, NULL);
	step("expand (no change in length)");
	evbuffer_expand(a, 10000);
	step("reserve+commit 4");
	{
		struct evbuffer_iovec v;
		CHECK_EQ(evbuffer_reserve_space(a, 4, &v, 1), 1);
		memcpy(v.iov_base, "RSVD", 4);
		v.iov_len = 4;
		evbuffer_commit_space(a, &v, 1);
	}

	/* moves: both buffers' callbacks */
	e2 = evbuffer_add_cb(b, info_cb, "B");
	step("add_buffer a -> b");
	evbuffer_add_buffer(b, a);
	step("remove_buffer b -> a 6");
	evbuffer_remove_buffer(b, a, 6);
	step("prepend_buffer a <- b");
	evbuffer_prepend_buffer(a, b);
	step("add_buffer from empty b");
	evbuffer_add_buffer(a, b);
	step("add_buffer_reference b <- a");
	evbuffer_add_buffer_reference(b, a);

	/* read from a socket */
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	CHECK_EQ(write(sp[1], "sockdata", 8), 8);
	step("read 8 from socket");
	r = evbuffer_read(a, sp[0], -1);
	CHECK_EQ(r, 8);
	step("write to socket");
	r = evbuffer_write(a, sp[1]);
	CHECK(r > 0);

	/* several callbacks: all see each change */
	e3 = evbuffer_add_cb(a, info_cb, "A2");
	CHECK(e3);
	step("two callbacks, add 1");
	evbuffer_add(a, "x", 1);
	r = evbuffer_cb_clear_flags(a, e1, EVBUFFER_CB_ENABLED);
	SAY("clear ENABLED on A1 -> %d", r);
	step("add 2 with A1 disabled");
	evbuffer_add(a, "yy", 2);
	r = evbuffer_cb_set_flags(a, e1, EVBUFFER_CB_ENABLED);
	SAY("set ENABLED on A1 -> %d", r);
	step("add 3 with A1 enabled again");
	evbuffer_add(a, "zzz", 3);
	r = evbuffer_remove_cb_entry(a, e3);
	SAY("remove_cb_entry A2 -> %d", r);
	step("drain 1");
	evbuffer_drain(a, 1);
	r = evbuffer_remove_cb(a, info_cb, "A1");
	SAY("remove_cb A1 -> %d", r);
	r = evbuffer_remove_cb(a, info_cb, "A1");
	SAY("remove_cb A1 again -> %d", r);
	r = evbuffer_remove_cb(a, info_cb, "nothing");
	SAY("remove_cb unknown arg -> %d", r);
	step("add with no callbacks");
	evbuffer_add(a, "q", 1);

	/* a callback may remove itself */
	self_entry = evbuffer_add_cb(a, self_removing_cb, "self");
	step("add (self-removing callback)");
	evbuffer_add(a, "1", 1);
	step("add again");
	evbuffer_add(a, "2", 1);

	/* legacy setcb: one slot, old/new lengths */
	r = evbuffer_setcb(a, legacy_cb, "L1");
	SAY("setcb -> %d", r);
	step("add 4");
	evbuffer_add(a, "abcd", 4);
	step("drain 2");
	evbuffer_drain(a, 2);
	r = evbuffer_setcb(a, legacy_cb, "L2");
	SAY("setcb replaces -> %d", r);
	step("add 1");
	evbuffer_add(a, "e", 1);
	r = evbuffer_setcb(a, NULL, NULL);
	SAY("setcb NULL -> %d", r);
	step("add 1 (no legacy cb)");
	evbuffer_add(a, "f", 1);

	/* deferred callbacks: nothing runs until the loop, changes are merged */
	base = event_base_new();
	CHECK(base);
	evbuffer_drain(a, evbuffer_get_length(a));
	e1 = evbuffer_add_cb(a, info_cb, "deferred");
	r = evbuffer_defer_callbacks(a, base);
	SAY("defer_callbacks -> %d", r);
	step("add 10, drain 3, add 2 (deferred)");
	evbuffer_add(a, "0123456789", 10);
	evbuffer_drain(a, 3);
	evbuffer_add(a, "ab", 2);
	step("loop");
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("loop -> %d", r);
	step("loop again (nothing pending)");
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	SAY("loop -> %d", r);
	step("drain all (deferred)");
	evbuffer_drain(a, evbuffer_get_length(a));
	step("dispatch");
	r = event_base_dispatch(base);
	SAY("dispatch -> %d", r);

	evbuffer_free(a);
	evbuffer_free(b);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	(void)e2;
	SAY("done");
	return 0;
}
