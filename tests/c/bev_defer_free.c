/* Deferred callbacks and freeing: with BEV_OPT_DEFER_CALLBACKS no callback runs inside
 * bufferevent_write() or bufferevent_trigger*(); they run from the loop in libevent's order
 * (connected, read, write, other events) with the collected event flags and errno. A
 * bufferevent freed from inside its own callbacks (with callbacks still pending) is released
 * safely, and with BEV_OPT_CLOSE_ON_FREE the peer sees its socket closed. */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static int in_call;

static void on_read(struct bufferevent *bev, void *arg)
{
	CHECK(!in_call);
	SAY("  %s readcb: input %zu", (const char *)arg, evbuffer_get_length(bufferevent_get_input(bev)));
}

static void on_write(struct bufferevent *bev, void *arg)
{
	CHECK(!in_call);
	SAY("  %s writecb: output %zu", (const char *)arg, evbuffer_get_length(bufferevent_get_output(bev)));
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	int e = errno;
	(void)bev;
	CHECK(!in_call);
	SAY("  %s eventcb 0x%02x errno %d", (const char *)arg, what, e);
}

static void free_on_read(struct bufferevent *bev, void *arg)
{
	SAY("  %s readcb: freeing", (const char *)arg);
	bufferevent_free(bev);
}

static void free_on_event(struct bufferevent *bev, short what, void *arg)
{
	SAY("  %s eventcb 0x%02x: freeing", (const char *)arg, what);
	bufferevent_free(bev);
}

static void spin(void)
{
	int i;
	for (i = 0; i < 4; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

int main(void)
{
	struct bufferevent *bev;
	int sv[2];
	char c;

	base = event_base_new();
	CHECK(base != NULL);

	SAY("deferred callbacks");
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CHECK_EQ(evutil_make_socket_nonblocking(sv[0]), 0);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	CHECK(bev != NULL);
	bufferevent_setcb(bev, on_read, on_write, on_event, "deferred");
	CHECK_EQ(bufferevent_enable(bev, EV_READ), 0);
	in_call = 1;
	CHECK_EQ(bufferevent_write(bev, "abc", 3), 0);
	bufferevent_trigger(bev, EV_READ | EV_WRITE, BEV_TRIG_IGNORE_WATERMARKS);
	errno = EINVAL;
	bufferevent_trigger_event(bev, BEV_EVENT_READING | BEV_EVENT_EOF, 0);
	errno = 0;
	bufferevent_trigger_event(bev, BEV_EVENT_CONNECTED, 0);
	in_call = 0;
	SAY("  nothing ran inside the calls; looping");
	spin();
	CHECK_EQ(write(sv[1], "xy", 2), 2);
	spin();

	SAY("immediate callbacks with BEV_TRIG_DEFER_CALLBACKS");
	bufferevent_free(bev);
	close(sv[1]);
	spin();
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, on_read, on_write, on_event, "plain");
	SAY("  trigger now:");
	bufferevent_trigger(bev, EV_READ, BEV_TRIG_IGNORE_WATERMARKS);
	SAY("  trigger deferred:");
	in_call = 1;
	bufferevent_trigger(bev, EV_WRITE, BEV_TRIG_DEFER_CALLBACKS);
	bufferevent_trigger_event(bev, BEV_EVENT_WRITING, BEV_TRIG_DEFER_CALLBACKS);
	in_call = 0;
	spin();

	SAY("free from the read callback (socket closed on free)");
	bufferevent_setcb(bev, free_on_read, NULL, NULL, "self-free");
	CHECK_EQ(bufferevent_enable(bev, EV_READ), 0);
	CHECK_EQ(write(sv[1], "z", 1), 1);
	spin();
	SAY("  peer reads %d (0: closed)", (int)read(sv[1], &c, 1));
	close(sv[1]);

	SAY("free from the event callback with deferred callbacks pending");
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CHECK_EQ(evutil_make_socket_nonblocking(sv[0]), 0);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	bufferevent_setcb(bev, on_read, on_write, free_on_event, "pending");
	CHECK_EQ(bufferevent_enable(bev, EV_READ), 0);
	CHECK_EQ(write(sv[1], "data", 4), 4);
	close(sv[1]);
	spin();

	SAY("free with callbacks still queued, before the loop runs");
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	bufferevent_setcb(bev, on_read, on_write, on_event, "queued");
	bufferevent_trigger(bev, EV_READ | EV_WRITE, BEV_TRIG_IGNORE_WATERMARKS);
	bufferevent_free(bev);
	spin();
	SAY("  peer reads %d (0: closed)", (int)read(sv[1], &c, 1));
	close(sv[1]);

	SAY("incref keeps it alive across free");
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_incref(bev);
	bufferevent_free(bev);
	spin();
	SAY("  still usable: fd valid %d", bufferevent_getfd(bev) == sv[0]);
	SAY("  decref returns %d", bufferevent_decref(bev));
	spin();
	SAY("  peer reads %d (0: closed)", (int)read(sv[1], &c, 1));
	close(sv[1]);

	CHECK_EQ(event_base_dispatch(base), 1);
	event_base_free(base);
	return 0;
}
