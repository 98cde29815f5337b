/* File data in evbuffers: evbuffer_add_file (mmap and, with EVBUFFER_FLAG_DRAINS_TO_FD, sendfile
 * paths; offset, length -1; the fd is closed once sent), evbuffer_file_segment_new/free/
 * add_cleanup_cb with the EVBUF_FS_* flags, one segment added to two buffers and in pieces,
 * a bad descriptor. Every byte is written to a socketpair, read back and compared. */
#include <event2/buffer.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

#define FILE_LEN 300000
static unsigned char pattern[FILE_LEN];
static int sp[2];

static int make_file(void)
{
	char name[] = "/tmp/rsevent-buffer-file-XXXXXX";
	int fd = mkstemp(name);
	size_t off = 0;
	CHECK(fd >= 0);
	CHECK_EQ(unlink(name), 0);
	while (off < FILE_LEN) {
		ssize_t w = write(fd, pattern + off, FILE_LEN - off);
		CHECK(w > 0);
		off += (size_t)w;
	}
	return fd;
}

static int fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

/* Writes the whole buffer to sp[0] with evbuffer_write, reading sp[1] as we go; returns 1 if the
 * bytes read equal pattern[off .. off+len). */
static int send_and_compare(struct evbuffer *b, size_t off, size_t len)
{
	unsigned char *got = malloc(len + 1);
	size_t have = 0;
	int writes = 0, ok;
	CHECK(got);
	while (evbuffer_get_length(b) > 0 || have < len) {
		if (evbuffer_get_length(b) > 0) {
			int w = evbuffer_write(b, sp[0]);
			CHECK(w >= 0 || errno == EAGAIN);
			writes++;
		}
		for (;;) {
			ssize_t r = read(sp[1], got + have, len + 1 - have);
			if (r < 0) {
				CHECK(errno == EAGAIN);
				break;
			}
			CHECK(r > 0);
			have += (size_t)r;
			CHECK(have <= len);
		}
	}
	ok = have == len && memcmp(got, pattern + off, len) == 0;
	free(got);
	CHECK(writes > 0);
	return ok;
}

static int cleanups;
static void seg_cleanup(const struct evbuffer_file_segment *seg, int flags, void *arg)
{
	(void)seg;
	cleanups++;
	SAY("  segment cleanup \"%s\" flags=0x%x", (const char *)arg, flags);
}

int main(void)
{
	struct evbuffer *b, *b2;
	struct evbuffer_file_segment *seg;
	size_t i;
	int fd, r;

	for (i = 0; i < FILE_LEN; i++)
		pattern[i] = (unsigned char)((i * 131) ^ (i >> 8));
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	CHECK_EQ(fcntl(sp[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(sp[1], F_SETFL, O_NONBLOCK), 0);

	/* add_file, default flags (mmap path) */
	b = evbuffer_new();
	CHECK(b);
	fd = make_file();
	r = evbuffer_add_file(b, fd, 100, 5000);
	SAY("add_file off=100 len=5000 -> %d len=%zu", r, evbuffer_get_length(b));
	evbuffer_add(b, "", 0);
	r = send_and_compare(b, 100, 5000);
	SAY("sent equal=%d len after=%zu", r, evbuffer_get_length(b));
	evbuffer_free(b);
	SAY("fd open after buffer freed: %d", fd_open(fd));

	/* add_file with length -1, sendfile path */
	b = evbuffer_new();
	CHECK(b);
	SAY("set_flags DRAINS_TO_FD -> %d", evbuffer_set_flags(b, EVBUFFER_FLAG_DRAINS_TO_FD));
	fd = make_file();
	/* (offset 0: the reference miscounts the length of "-1" with a nonzero offset) */
	r = evbuffer_add_file(b, fd, 0, -1);
	SAY("add_file off=0 len=-1 -> %d len=%zu", r, evbuffer_get_length(b));
	r = send_and_compare(b, 0, FILE_LEN);
	SAY("sent equal=%d len after=%zu", r, evbuffer_get_length(b));
	SAY("fd open after everything sent: %d", fd_open(fd));
	evbuffer_free(b);
	SAY("fd open after buffer freed: %d", fd_open(fd));

	/* mixing memory and file data keeps the order */
	b = evbuffer_new();
	CHECK(b);
	fd = make_file();
	evbuffer_add(b, pattern, 10);
	CHECK_EQ(evbuffer_add_file(b, fd, 10, 20000), 0);
	evbuffer_add(b, pattern + 20010, 90);
	SAY("mixed len=%zu", evbuffer_get_length(b));
	SAY("mixed sent equal=%d", send_and_compare(b, 0, 20100));
	evbuffer_free(b);

	/* add_file on a bad descriptor */
	b = evbuffer_new();
	CHECK(b);
	r = evbuffer_add_file(b, 1000, 0, 10);
	SAY("add_file bad fd len 10 -> %d len=%zu", r, evbuffer_get_length(b));
	r = evbuffer_add_file(b, 1000, 0, -1);
	SAY("add_file bad fd len -1 -> %d len=%zu", r, evbuffer_get_length(b));
	evbuffer_free(b);

	/* segments: memory-backed (no mmap, no sendfile) can be read with copyout/remove */
	fd = make_file();
	seg = evbuffer_file_segment_new(fd, 50, 1000, EVBUF_FS_DISABLE_MMAP | EVBUF_FS_DISABLE_SENDFILE);
	SAY("segment_new nommap/nosendfile -> %s", seg ? "ok" : "NULL");
	CHECK(seg);
	evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, "memory");
	b = evbuffer_new();
	b2 = evbuffer_new();
	CHECK(b && b2);
	r = evbuffer_add_file_segment(b, seg, 0, -1);
	SAY("add_file_segment 0,-1 -> %d len=%zu", r, evbuffer_get_length(b));
	r = evbuffer_add_file_segment(b2, seg, 20, 50);
	SAY("add_file_segment 20,50 -> %d len=%zu", r, evbuffer_get_length(b2));
	r = evbuffer_add_file_segment(b2, seg, 990, 10);
	SAY("add_file_segment 990,10 -> %d len=%zu", r, evbuffer_get_length(b2));
	/* (no out-of-range adds: the reference drops a segment reference it never took when one
	 * fails, and frees the segment while buffers still use it) */
	{
		unsigned char got[60];
		CHECK_EQ(evbuffer_copyout(b2, got, 60), 60);
		SAY("b2 bytes equal=%d", memcmp(got, pattern + 70, 50) == 0 && memcmp(got + 50, pattern + 1040, 10) == 0);
		CHECK_EQ(evbuffer_remove(b, got, 30), 30);
		SAY("b remove 30 equal=%d len=%zu", memcmp(got, pattern + 50, 30) == 0, evbuffer_get_length(b));
	}
	SAY("segment_free while in use");
	evbuffer_file_segment_free(seg);
	SAY("cleanups=%d", cleanups);
	SAY("b sent equal=%d", send_and_compare(b, 80, 970));
	SAY("cleanups=%d fd open=%d", cleanups, fd_open(fd));
	SAY("free b2");
	evbuffer_free(b2);
	evbuffer_free(b);
	SAY("cleanups=%d fd open=%d (no CLOSE_ON_FREE)", cleanups, fd_open(fd));
	close(fd);

	/* segment with CLOSE_ON_FREE, mmap allowed, sent twice through two buffers */
	cleanups = 0;
	fd = make_file();
	seg = evbuffer_file_segment_new(fd, 4096, 70000, EVBUF_FS_CLOSE_ON_FREE | EVBUF_FS_DISABLE_SENDFILE);
	CHECK(seg);
	evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, "close-on-free");
	b = evbuffer_new();
	b2 = evbuffer_new();
	CHECK(b && b2);
	CHECK_EQ(evbuffer_add_file_segment(b, seg, 0, -1), 0);
	CHECK_EQ(evbuffer_add_file_segment(b2, seg, 1000, 2000), 0);
	evbuffer_file_segment_free(seg);
	SAY("lens %zu %zu", evbuffer_get_length(b), evbuffer_get_length(b2));
	SAY("b sent equal=%d", send_and_compare(b, 4096, 70000));
	SAY("cleanups=%d fd open=%d", cleanups, fd_open(fd));
	SAY("b2 sent equal=%d", send_and_compare(b2, 5096, 2000));
	SAY("cleanups=%d fd open=%d", cleanups, fd_open(fd));
	evbuffer_free(b);
	evbuffer_free(b2);

	/* sendfile-capable segment with locking disabled, on a DRAINS_TO_FD buffer */
	cleanups = 0;
	fd = make_file();
	seg = evbuffer_file_segment_new(fd, 0, -1, EVBUF_FS_CLOSE_ON_FREE | EVBUF_FS_DISABLE_LOCKING);
	CHECK(seg);
	evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, "sendfile");
	b = evbuffer_new();
	CHECK(b);
	evbuffer_set_flags(b, EVBUFFER_FLAG_DRAINS_TO_FD);
	CHECK_EQ(evbuffer_add_file_segment(b, seg, 123, 45678), 0);
	evbuffer_file_segment_free(seg);
	SAY("len %zu", evbuffer_get_length(b));
	SAY("sent equal=%d", send_and_compare(b, 123, 45678));
	SAY("cleanups=%d fd open=%d", cleanups, fd_open(fd));
	evbuffer_free(b);

	/* a segment never added: freed at once */
	cleanups = 0;
	fd = make_file();
	seg = evbuffer_file_segment_new(fd, 0, 10, EVBUF_FS_CLOSE_ON_FREE);
	CHECK(seg);
	evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, "unused");
	evbuffer_file_segment_free(seg);
	SAY("cleanups=%d fd open=%d", cleanups, fd_open(fd));

	/* segment on a bad fd with length -1 (needs fstat) */
	seg = evbuffer_file_segment_new(1000, 0, -1, 0);
	SAY("segment_new bad fd len -1 -> %s", seg ? "ok" : "NULL");
	if (seg)
		evbuffer_file_segment_free(seg);

	close(sp[0]);
	close(sp[1]);
	SAY("done");
	return 0;
}
