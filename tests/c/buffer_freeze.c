/* evbuffer_freeze / evbuffer_unfreeze: with the front frozen every draining or prepending
 * operation fails with -1 (or NULL) and changes nothing, with the end frozen every appending one;
 * operations on the other end still work; moves fail if either side is frozen where it would
 * change; unfreezing restores everything. */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct evbuffer *b, *other;
static int sp[2];

/* Prints a buffer through evbuffer_peek (copyout is refused on a frozen front). */
static void print_buf(const char *name, struct evbuffer *buf)
{
	struct evbuffer_iovec v[16];
	int n = evbuffer_peek(buf, -1, NULL, v, 16), i;
	CHECK(n >= 0 && n <= 16);
	printf(" %s=\"", name);
	for (i = 0; i < n; i++)
		printf("%.*s", (int)v[i].iov_len, (const char *)v[i].iov_base);
	printf("\"");
}

static void state(void)
{
	printf("   ");
	print_buf("b", b);
	print_buf("other", other);
	printf("\n");
}

static void all_ops(void)
{
	char out[8];
	char *line;
	size_t n;
	int r;
	struct evbuffer_iovec v[2];

	r = evbuffer_add(b, "A", 1);
	SAY("  add -> %d", r);
	r = evbuffer_prepend(b, "P", 1);
	SAY("  prepend -> %d", r);
	r = evbuffer_add_printf(b, "%s", "F");
	SAY("  add_printf -> %d", r);
	r = evbuffer_add_reference(b, "R", 1, NULL, NULL);
	SAY("  add_reference -> %d", r);
	r = evbuffer_drain(b, 1);
	SAY("  drain 1 -> %d", r);
	memset(out, 0, sizeof(out));
	r = evbuffer_remove(b, out, 1);
	SAY("  remove 1 -> %d \"%s\"", r, out);
	r = (int)evbuffer_copyout(b, out, 1);
	SAY("  copyout 1 -> %d", r);
	line = evbuffer_readln(b, &n, EVBUFFER_EOL_LF);
	SAY("  readln -> %s", line ? line : "NULL");
	free(line);
	r = evbuffer_reserve_space(b, 10, v, 2);
	SAY("  reserve_space -> %s", r < 0 ? "-1" : "ok");
	if (r > 0) {
		memcpy(v[0].iov_base, "C", 1);
		v[0].iov_len = 1;
		r = evbuffer_commit_space(b, v, 1);
		SAY("  commit_space -> %d", r);
	}
	r = evbuffer_expand(b, 100);
	SAY("  expand -> %d", r);
	state();

	/* moves with b on each side */
	evbuffer_add(other, "o", 1);
	r = evbuffer_add_buffer(b, other);
	SAY("  add_buffer(b, other) -> %d", r);
	state();
	evbuffer_drain(other, evbuffer_get_length(other));
	r = evbuffer_add_buffer(other, b);
	SAY("  add_buffer(other, b) -> %d", r);
	state();
	evbuffer_drain(other, evbuffer_get_length(other));
	evbuffer_add(other, "p", 1);
	r = evbuffer_prepend_buffer(b, other);
	SAY("  prepend_buffer(b, other) -> %d", r);
	state();
	evbuffer_drain(other, evbuffer_get_length(other));
	r = evbuffer_remove_buffer(b, other, 1);
	SAY("  remove_buffer(b, other, 1) -> %d", r);
	state();
	evbuffer_drain(other, evbuffer_get_length(other));
	r = evbuffer_add_buffer_reference(other, b);
	SAY("  add_buffer_reference(other, b) -> %d", r);
	state();
	evbuffer_drain(other, evbuffer_get_length(other));

	/* socket io */
	CHECK_EQ(write(sp[1], "S", 1), 1);
	r = evbuffer_read(b, sp[0], -1);
	SAY("  read -> %d", r);
	if (r < 0) {
		char c;
		CHECK_EQ(read(sp[0], &c, 1), 1);
	}
	r = evbuffer_write(b, sp[0]);
	SAY("  write -> %d", r);
	if (r > 0) {
		char tmp[64];
		CHECK_EQ(read(sp[1], tmp, sizeof(tmp)), r);
	}
	state();
}

static void reset(void)
{
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, "xyz\nrest", 8);
}

int main(void)
{
	int r;
	b = evbuffer_new();
	other = evbuffer_new();
	CHECK(b && other);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	CHECK_EQ(fcntl(sp[0], F_SETFL, O_NONBLOCK), 0);

	reset();
	SAY("unfrozen:");
	all_ops();

	reset();
	r = evbuffer_freeze(b, 1);
	SAY("freeze front -> %d", r);
	all_ops();
	{
		unsigned char *p = evbuffer_pullup(b, -1);
		SAY("  pullup on frozen front -> %s", p ? "ptr" : "NULL");
	}
	r = evbuffer_unfreeze(b, 1);
	SAY("unfreeze front -> %d", r);

	reset();
	r = evbuffer_freeze(b, 0);
	SAY("freeze end -> %d", r);
	all_ops();
	r = evbuffer_unfreeze(b, 0);
	SAY("unfreeze end -> %d", r);

	reset();
	SAY("freeze both -> %d %d", evbuffer_freeze(b, 1), evbuffer_freeze(b, 0));
	SAY("freeze twice -> %d", evbuffer_freeze(b, 1));
	all_ops();
	SAY("unfreeze both -> %d %d", evbuffer_unfreeze(b, 1), evbuffer_unfreeze(b, 0));
	SAY("unfreeze unfrozen -> %d", evbuffer_unfreeze(b, 0));

	reset();
	SAY("after unfreezing:");
	all_ops();

	evbuffer_free(b);
	evbuffer_free(other);
	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
