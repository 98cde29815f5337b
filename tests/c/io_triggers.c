/* I/O readiness semantics: level-triggered by default (data left unread fires again next
 * iteration), EV_ET (once per edge), EV_PERSIST vs one-shot, timeouts on fd events (with and without
 * EV_PERSIST), EV_CLOSED when the peer closes, several events on one fd and their order, and mixing
 * edge- and level-triggered events on one fd. */
#include <event2/event.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static int iter;
/* Events on different fds that become ready together come back in an order chosen by the
 * kernel; in "sorted" phases the callbacks of one iteration are printed sorted. Events sharing an
 * fd are printed in the order libevent runs them. */
static int sorted_mode;
static char lines[8][64];
static int nlines;

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

static void flush_lines(void)
{
	int i;
	qsort(lines, nlines, sizeof(lines[0]), cmp);
	for (i = 0; i < nlines; i++)
		SAY("%s", lines[i]);
	nlines = 0;
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	if (sorted_mode) {
		CHECK(nlines < 8);
		snprintf(lines[nlines++], sizeof(lines[0]), "  iter %d: %s what=0x%x", iter,
		    (const char *)arg, what);
	} else {
		SAY("  iter %d: %s what=0x%x", iter, (const char *)arg, what);
	}
}

static void iterate(const char *label, int n)
{
	int r;
	SAY(" %s", label);
	for (iter = 1; iter <= n; iter++) {
		r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		flush_lines();
		if (r != 0)
			SAY("  iter %d: loop -> %d", iter, r);
	}
}

static void pair(int sp[2])
{
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
}

int main(void)
{
	struct event *lt, *et, *one, *wr, *lt2, *t, *closed, *closed_rd, *pt;
	struct timeval ten = { 0, 10000 };
	int sp[2], sq[2], sc[2], r;
	char buf[16];

	base = event_base_new();
	CHECK(base);
	pair(sp);
	pair(sq);
	pair(sc);

	/* level vs edge on different fds */
	lt = event_new(base, sp[0], EV_READ | EV_PERSIST, cb, "lt");
	et = event_new(base, sq[0], EV_READ | EV_PERSIST | EV_ET, cb, "et");
	event_add(lt, NULL);
	event_add(et, NULL);
	CHECK(write(sp[1], "a", 1) == 1);
	CHECK(write(sq[1], "a", 1) == 1);
	sorted_mode = 1;
	iterate("one byte each, nobody reads", 3);
	CHECK(write(sq[1], "b", 1) == 1);
	iterate("another byte for et", 2);
	CHECK(read(sp[0], buf, sizeof(buf)) == 1);
	CHECK(read(sq[0], buf, sizeof(buf)) == 2);
	iterate("all read", 2);
	sorted_mode = 0;

	/* mixing ET and LT on one fd */
	lt2 = event_new(base, sq[0], EV_READ | EV_PERSIST, cb, "lt-on-et-fd");
	r = event_add(lt2, NULL);
	SAY(" add LT event on fd with an ET event -> %d", r);
	event_del(lt2);
	event_free(lt2);
	event_del(et);

	/* several events on one fd: two readers, one writer, one non-persistent */
	lt2 = event_new(base, sp[0], EV_READ | EV_PERSIST, cb, "lt2");
	one = event_new(base, sp[0], EV_READ, cb, "one-shot");
	wr = event_new(base, sp[0], EV_WRITE, cb, "writer");
	event_add(lt2, NULL);
	event_add(one, NULL);
	event_add(wr, NULL);
	CHECK(write(sp[1], "c", 1) == 1);
	iterate("three readers + a writer on one fd", 2);
	SAY(" one-shot pending 0x%x, writer pending 0x%x", event_pending(one, EV_READ, NULL),
	    event_pending(wr, EV_WRITE, NULL));
	CHECK(read(sp[0], buf, sizeof(buf)) == 1);
	event_del(lt);
	event_del(lt2);

	/* fd events with timeouts */
	iter = 0;
	t = event_new(base, sp[0], EV_READ, cb, "read-with-timeout");
	event_add(t, &ten);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY(" read timeout loop -> %d pending 0x%x", r, event_pending(t, EV_READ | EV_TIMEOUT, NULL));
	pt = event_new(base, sp[0], EV_READ | EV_PERSIST, cb, "persist-read-with-timeout");
	event_add(pt, &ten);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY(" persist timeout loop -> %d pending 0x%x", r, event_pending(pt, EV_READ | EV_TIMEOUT, NULL));
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY(" persist timeout again -> %d pending 0x%x", r, event_pending(pt, EV_READ | EV_TIMEOUT, NULL));
	CHECK(write(sp[1], "d", 1) == 1);
	r = event_base_loop(base, EVLOOP_ONCE);
	SAY(" persist with data -> %d pending 0x%x", r, event_pending(pt, EV_READ | EV_TIMEOUT, NULL));
	CHECK(read(sp[0], buf, sizeof(buf)) == 1);
	event_del(pt);
	event_free(pt);
	event_free(t);

	/* EV_CLOSED */
	closed = event_new(base, sc[0], EV_CLOSED, cb, "closed-only");
	closed_rd = event_new(base, sc[0], EV_CLOSED | EV_READ | EV_PERSIST, cb, "closed+read");
	event_add(closed, NULL);
	event_add(closed_rd, NULL);
	iterate("peer still open", 1);
	close(sc[1]);
	iterate("peer closed", 2);
	event_del(closed_rd);

	/* a writer whose peer is gone */
	close(sq[1]);
	event_free(wr);
	wr = event_new(base, sq[0], EV_WRITE, cb, "writer-peer-gone");
	event_add(wr, NULL);
	iterate("writer after peer close", 1);

	event_free(lt);
	event_free(et);
	event_free(lt2);
	event_free(one);
	event_free(wr);
	event_free(closed);
	event_free(closed_rd);
	event_base_free(base);
	close(sp[0]);
	close(sp[1]);
	close(sq[0]);
	close(sc[0]);
	SAY("done");
	return 0;
}
