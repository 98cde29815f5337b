/* The I/O scenario shared by io_backends.c and io_select.c: level-triggered re-fire, EV_ET,
 * persist/one-shot, reader+writer on one fd, fd + timeout, EV_CLOSED on peer close, and 64
 * socketpairs each ready once. */
#ifndef RSEVENT_TEST_IO_SCENARIO_H
#define RSEVENT_TEST_IO_SCENARIO_H

#include <event2/event.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static int iter;
static char lines[16][64];
static int nlines;

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

static void cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	CHECK(nlines < 16);
	snprintf(lines[nlines++], sizeof(lines[0]), "  iter %d: %s what=0x%x", iter, (const char *)arg, what);
}

/* events on different fds ready together: kernel order, so print each iteration sorted */
static void iterate(struct event_base *base, const char *label, int n)
{
	int i, r;
	SAY(" %s", label);
	for (iter = 1; iter <= n; iter++) {
		r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		qsort(lines, nlines, sizeof(lines[0]), cmp);
		for (i = 0; i < nlines; i++)
			SAY("%s", lines[i]);
		nlines = 0;
		if (r != 0)
			SAY("  iter %d: loop -> %d", iter, r);
	}
}

static int many_calls;
static void many_cb(evutil_socket_t fd, short what, void *arg)
{
	char c;
	(void)arg;
	CHECK(what == EV_READ);
	CHECK(read(fd, &c, 1) == 1);
	many_calls++;
}

static void scenario(struct event_base *base)
{
	struct event *lt, *et, *rw_r, *rw_w, *closed, *tmo, *many[64];
	struct timeval ten = { 0, 10000 };
	int a[2], b[2], c[2], m[64][2], i, r;
	char buf[8];

	SAY("method: %s", event_base_get_method(base));
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, c) == 0);

	lt = event_new(base, a[0], EV_READ | EV_PERSIST, cb, "lt");
	et = event_new(base, b[0], EV_READ | EV_PERSIST | EV_ET, cb, "et");
	r = event_add(lt, NULL);
	SAY(" add lt -> %d", r);
	r = event_add(et, NULL);
	SAY(" add et -> %d", r);
	CHECK(write(a[1], "x", 1) == 1);
	CHECK(write(b[1], "x", 1) == 1);
	iterate(base, "unread data", 2);
	CHECK(read(a[0], buf, sizeof(buf)) == 1);
	CHECK(read(b[0], buf, sizeof(buf)) == 1);
	iterate(base, "drained", 1);
	event_free(lt);
	event_free(et);

	rw_r = event_new(base, c[0], EV_READ, cb, "reader");
	rw_w = event_new(base, c[0], EV_WRITE | EV_PERSIST, cb, "writer");
	event_add(rw_r, NULL);
	event_add(rw_w, NULL);
	CHECK(write(c[1], "y", 1) == 1);
	iterate(base, "reader+writer on one fd", 2);
	event_free(rw_r);
	event_free(rw_w);

	tmo = event_new(base, a[0], EV_READ, cb, "read-timeout");
	event_add(tmo, &ten);
	iter = 0;
	r = event_base_loop(base, EVLOOP_ONCE);
	for (i = 0; i < nlines; i++)
		SAY("%s", lines[i]);
	nlines = 0;
	SAY(" timeout loop -> %d pending 0x%x", r, event_pending(tmo, EV_READ | EV_TIMEOUT, NULL));
	event_free(tmo);

	closed = event_new(base, c[0], EV_READ | EV_CLOSED | EV_PERSIST, cb, "read|closed");
	r = event_add(closed, NULL);
	SAY(" add read|closed -> %d", r);
	CHECK(read(c[0], buf, sizeof(buf)) == 1);
	close(c[1]);
	iterate(base, "peer closed", 1);
	event_free(closed);

	for (i = 0; i < 64; i++) {
		CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, m[i]) == 0);
		many[i] = event_new(base, m[i][0], EV_READ | EV_PERSIST, many_cb, NULL);
		event_add(many[i], NULL);
	}
	for (i = 0; i < 64; i += 2)
		CHECK(write(m[i][1], "z", 1) == 1);
	many_calls = 0;
	r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	SAY(" 64 fds, 32 ready: loop -> %d calls %d", r, many_calls);
	for (i = 1; i < 64; i += 2)
		CHECK(write(m[i][1], "z", 1) == 1);
	many_calls = 0;
	r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	SAY(" the other 32: loop -> %d calls %d", r, many_calls);
	many_calls = 0;
	r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	SAY(" none ready: loop -> %d calls %d", r, many_calls);
	for (i = 0; i < 64; i++) {
		event_free(many[i]);
		close(m[i][0]);
		close(m[i][1]);
	}
	close(a[0]); close(a[1]); close(b[0]); close(b[1]); close(c[0]);
}

/* a base that avoids the given methods (NULL-terminated list) and optionally sets a flag */
static struct event_base *base_avoiding(const char *const *avoid, int flag)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;
	CHECK(cfg);
	for (; *avoid; avoid++)
		event_config_avoid_method(cfg, *avoid);
	if (flag)
		event_config_set_flag(cfg, flag);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

#endif
