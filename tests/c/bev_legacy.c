/* The libevent 1.x bufferevent API through <event.h>: bufferevent_new() on the current base,
 * bufferevent_base_set(), bufferevent_settimeout(), the EVBUFFER_* macros and the public
 * fields of struct bufferevent (layout checked with offsetof). */
#include <event.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;

static void on_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = EVBUFFER_INPUT(bev);
	(void)arg;
	CHECK(in == bev->input);
	SAY("  readcb: %zu bytes \"%.*s\"", EVBUFFER_LENGTH(in), (int)EVBUFFER_LENGTH(in), (char *)EVBUFFER_DATA(in));
	evbuffer_drain(in, EVBUFFER_LENGTH(in));
}

static void on_write(struct bufferevent *bev, void *arg)
{
	(void)arg;
	SAY("  writecb: output %zu", EVBUFFER_LENGTH(EVBUFFER_OUTPUT(bev)));
}

static void on_error(struct bufferevent *bev, short what, void *arg)
{
	(void)bev; (void)arg;
	SAY("  errorcb 0x%02x (EOF %d, TIMEOUT %d, READ %d)", what, !!(what & EVBUFFER_EOF),
	    !!(what & EVBUFFER_TIMEOUT), !!(what & EVBUFFER_READ));
	event_base_loopexit(base, NULL);
}

int main(void)
{
	struct bufferevent *bev;
	evbuffercb rcb = NULL;
	everrorcb ecb = NULL;
	int sv[2];

	SAY("sizeof %zu: ev_base %zu be_ops %zu ev_read %zu ev_write %zu input %zu output %zu",
	    sizeof(struct bufferevent), offsetof(struct bufferevent, ev_base),
	    offsetof(struct bufferevent, be_ops), offsetof(struct bufferevent, ev_read),
	    offsetof(struct bufferevent, ev_write), offsetof(struct bufferevent, input),
	    offsetof(struct bufferevent, output));
	SAY("wm_read %zu wm_write %zu readcb %zu writecb %zu errorcb %zu cbarg %zu",
	    offsetof(struct bufferevent, wm_read), offsetof(struct bufferevent, wm_write),
	    offsetof(struct bufferevent, readcb), offsetof(struct bufferevent, writecb),
	    offsetof(struct bufferevent, errorcb), offsetof(struct bufferevent, cbarg));
	SAY("timeout_read %zu timeout_write %zu enabled %zu watermark %zu",
	    offsetof(struct bufferevent, timeout_read), offsetof(struct bufferevent, timeout_write),
	    offsetof(struct bufferevent, enabled), sizeof(struct event_watermark));

	base = event_init();
	CHECK(base != NULL);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CHECK_EQ(evutil_make_socket_nonblocking(sv[0]), 0);
	bev = bufferevent_new(sv[0], on_read, on_write, on_error, NULL);
	CHECK(bev != NULL);
	bufferevent_getcb(bev, &rcb, NULL, &ecb, NULL);
	CHECK(rcb == on_read && ecb == on_error);
	SAY("base before base_set is NULL: %d", bufferevent_get_base(bev) == NULL);
	CHECK_EQ(bufferevent_base_set(base, bev), 0);
	CHECK(bufferevent_get_base(bev) == base && bev->ev_base == base);
	SAY("enabled field %d, priority %d", bev->enabled, bufferevent_get_priority(bev));
	CHECK_EQ(bufferevent_enable(bev, EV_READ), 0);
	SAY("enabled field %d", bev->enabled);

	CHECK_EQ(write(sv[1], "legacy", 6), 6);
	CHECK_EQ(bufferevent_write(bev, "out", 3), 0);
	CHECK_EQ(event_loop(EVLOOP_NONBLOCK), 0);
	CHECK_EQ(event_loop(EVLOOP_NONBLOCK), 0);

	bufferevent_settimeout(bev, 1, 0);
	SAY("timeout fields %ld/%ld and %ld", (long)bev->timeout_read.tv_sec,
	    (long)bev->timeout_read.tv_usec, (long)bev->timeout_write.tv_sec);
	bufferevent_settimeout(bev, 0, 0);
	close(sv[1]);
	CHECK_EQ(event_dispatch(), 0);

	bufferevent_free(bev);
	event_base_free(base);
	close(sv[0]);
	return 0;
}
