/* evbuffer_read / evbuffer_write / evbuffer_write_atmost on a nonblocking socketpair: exact
 * counts for small transfers, howmuch limits, EAGAIN, EOF, a closed peer, more than 1 MiB
 * moved byte-exact in both directions, set_flags/clear_flags with EVBUFFER_FLAG_DRAINS_TO_FD. */
#include <event2/buffer.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

#include "buffer_show.h"

static size_t pending(int fd)
{
	char tmp[65536];
	size_t total = 0;
	ssize_t r;
	while ((r = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT)) > 0)
		total += (size_t)r;
	return total;
}

#define BIG (3 * 1024 * 1024 + 12345)

/* Moves BIG bytes from src (written to w) into dst (read from r); returns 1 if byte-exact. */
static int transfer(struct evbuffer *src, struct evbuffer *dst, int w, int r, int atmost, int readmax)
{
	unsigned char *data = malloc(BIG), *back;
	size_t i;
	int ok;
	CHECK(data);
	for (i = 0; i < BIG; i++)
		data[i] = (unsigned char)(i % 251 + (i >> 16));
	CHECK_EQ(evbuffer_add(src, data, BIG), 0);
	while (evbuffer_get_length(dst) < BIG) {
		if (evbuffer_get_length(src) > 0) {
			int n = atmost ? evbuffer_write_atmost(src, w, atmost) : evbuffer_write(src, w);
			CHECK(n > 0 || (n < 0 && errno == EAGAIN));
			if (atmost)
				CHECK(n <= atmost);
		}
		for (;;) {
			int n = evbuffer_read(dst, r, readmax);
			if (n < 0) {
				CHECK(errno == EAGAIN);
				break;
			}
			CHECK(n > 0);
			if (readmax > 0)
				CHECK(n <= readmax);
		}
	}
	back = evbuffer_pullup(dst, -1);
	CHECK(back);
	ok = evbuffer_get_length(dst) == BIG && memcmp(back, data, BIG) == 0;
	evbuffer_drain(dst, BIG);
	free(data);
	return ok;
}

int main(void)
{
	struct evbuffer *out = evbuffer_new(), *in = evbuffer_new();
	int sp[2], r;
	char big[10000];
	CHECK(out && in);
	signal(SIGPIPE, SIG_IGN);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	CHECK_EQ(fcntl(sp[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(sp[1], F_SETFL, O_NONBLOCK), 0);

	/* write: whole buffer, at most N, at most -1, empty buffer */
	evbuffer_add(out, "0123456789abcdef", 16);
	r = evbuffer_write_atmost(out, sp[0], 4);
	SAY("write_atmost 4 -> %d", r);
	show("  out", out);
	r = evbuffer_write_atmost(out, sp[0], 0);
	SAY("write_atmost 0 -> %d", r);
	r = evbuffer_write(out, sp[0]);
	SAY("write -> %d", r);
	show("  out", out);
	r = evbuffer_write(out, sp[0]);
	SAY("write empty -> %d", r);
	evbuffer_add(out, "XYZ", 3);
	r = evbuffer_write_atmost(out, sp[0], -1);
	SAY("write_atmost -1 -> %d", r);
	r = evbuffer_write_atmost(out, sp[0], 100);
	SAY("write_atmost 100 on empty -> %d", r);

	/* read: limited, the rest, then EAGAIN */
	r = evbuffer_read(in, sp[1], 5);
	SAY("read 5 -> %d", r);
	show("  in", in);
	r = evbuffer_read(in, sp[1], 0);
	SAY("read 0 -> %d", r);
	r = evbuffer_read(in, sp[1], -1);
	SAY("read -1 -> %d", r);
	show("  in", in);
	errno = 0;
	r = evbuffer_read(in, sp[1], -1);
	SAY("read nothing pending -> %d EAGAIN=%d", r, errno == EAGAIN);
	evbuffer_drain(in, evbuffer_get_length(in));

	/* reading 10000 pending bytes with -1 and with a large howmuch */
	memset(big, 'r', sizeof(big));
	CHECK_EQ(write(sp[0], big, sizeof(big)), (ssize_t)sizeof(big));
	r = evbuffer_read(in, sp[1], -1);
	SAY("read -1 with 10000 pending -> %d", r);
	r = evbuffer_read(in, sp[1], 100000);
	SAY("read 100000 -> %d", r);
	while ((r = evbuffer_read(in, sp[1], 100000)) > 0)
		;
	SAY("total read %zu", evbuffer_get_length(in));
	evbuffer_drain(in, evbuffer_get_length(in));

	/* big transfers */
	SAY("3 MiB write/read -1 exact=%d", transfer(out, in, sp[0], sp[1], 0, -1));
	SAY("3 MiB write_atmost 70000 / read 3000 exact=%d", transfer(out, in, sp[1], sp[0], 70000, 3000));
	r = evbuffer_set_flags(out, EVBUFFER_FLAG_DRAINS_TO_FD);
	SAY("set_flags DRAINS_TO_FD -> %d", r);
	SAY("3 MiB drains-to-fd exact=%d", transfer(out, in, sp[0], sp[1], 0, 65536));
	r = evbuffer_clear_flags(out, EVBUFFER_FLAG_DRAINS_TO_FD);
	SAY("clear_flags DRAINS_TO_FD -> %d", r);
	r = evbuffer_clear_flags(out, EVBUFFER_FLAG_DRAINS_TO_FD);
	SAY("clear_flags again -> %d", r);
	r = evbuffer_set_flags(out, 0);
	SAY("set_flags 0 -> %d", r);

	/* a full socket: write returns EAGAIN and keeps the data */
	{
		size_t queued = 0;
		evbuffer_add(out, big, sizeof(big));
		for (;;) {
			r = evbuffer_write(out, sp[0]);
			if (r < 0)
				break;
			queued += (size_t)r;
			evbuffer_add(out, big, (size_t)r);
		}
		SAY("full socket: write -> %d EAGAIN=%d len kept=%zu", r, errno == EAGAIN, evbuffer_get_length(out));
		SAY("drained peer all=%d", pending(sp[1]) == queued);
		evbuffer_drain(out, evbuffer_get_length(out));
	}

	/* EOF and a closed peer */
	CHECK_EQ(write(sp[0], "last", 4), 4);
	close(sp[0]);
	r = evbuffer_read(in, sp[1], -1);
	SAY("read before EOF -> %d", r);
	r = evbuffer_read(in, sp[1], -1);
	SAY("read at EOF -> %d", r);
	show("  in", in);
	evbuffer_add(out, "x", 1);
	errno = 0;
	r = evbuffer_write(out, sp[1]);
	SAY("write to closed peer -> %d EPIPE=%d len=%zu", r, errno == EPIPE, evbuffer_get_length(out));
	close(sp[1]);
	errno = 0;
	r = evbuffer_read(in, sp[1], -1);
	SAY("read closed fd -> %d EBADF=%d", r, errno == EBADF);
	r = evbuffer_write(out, sp[1]);
	SAY("write closed fd -> %d EBADF=%d", r, errno == EBADF);

	evbuffer_free(out);
	evbuffer_free(in);
	SAY("done");
	return 0;
}
