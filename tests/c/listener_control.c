/* evconnlistener control: a NULL callback at creation leaves the listener idle until
 * evconnlistener_set_cb; enable/disable (also LEV_OPT_DISABLED) stop and resume accepting;
 * set_cb(NULL) on an enabled listener closes arriving connections; disabling, clearing the
 * callback or freeing the listener from inside its callback; evconnlistener_new on a socket that
 * is already listening (backlog 0) and on one it makes listen (backlog -1). */
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static struct event_base *base;
static struct sockaddr_in addr;
static int calls;

enum { KEEP, DISABLE, SET_NULL, FREE };

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
    int socklen, void *arg)
{
	int what = *(int *)arg;
	(void)sa;
	(void)socklen;
	calls++;
	close(fd);
	switch (what) {
	case DISABLE:
		CHECK_EQ(evconnlistener_disable(lev), 0);
		break;
	case SET_NULL:
		evconnlistener_set_cb(lev, NULL, NULL);
		break;
	case FREE:
		evconnlistener_free(lev);
		break;
	}
}

static int added(void)
{
	return event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED);
}

static int client(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	CHECK(connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
	return fd;
}

/* 1: the server closed the connection; 0: still open (not accepted, or accepted and kept). */
static int closed_by_server(int fd)
{
	char c;
	ssize_t r = read(fd, &c, 1);
	CHECK(r == 0 || (r < 0 && errno == EAGAIN) || (r < 0 && errno == ECONNRESET));
	return r == 0 || (r < 0 && errno == ECONNRESET);
}

/* Runs a few non-blocking rounds: whatever is ready is handled. */
static void rounds(int n)
{
	int i;
	for (i = 0; i < n; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

int main(void)
{
	struct evconnlistener *lev;
	socklen_t len = sizeof(addr);
	int keep = KEEP, disable = DISABLE, set_null = SET_NULL, do_free = FREE;
	int c1, c2, fd, r;

	base = event_base_new();
	CHECK(base != NULL);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	/* created without a callback: nothing is watched */
	lev = evconnlistener_new_bind(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE, -1,
	    (struct sockaddr *)&addr, sizeof(addr));
	CHECK(lev != NULL);
	CHECK(getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&addr, &len) == 0);
	SAY("NULL cb: added events %d", added());
	c1 = client();
	rounds(3);
	SAY("NULL cb: calls %d, closed %d", calls, closed_by_server(c1));
	SAY("enable without cb -> %d, added %d", evconnlistener_enable(lev), added());
	SAY("disable -> %d, added %d; again -> %d", evconnlistener_disable(lev), added(),
	    evconnlistener_disable(lev));
	evconnlistener_set_cb(lev, accept_cb, &keep);
	rounds(3);
	SAY("set_cb while disabled: calls %d, added %d", calls, added());
	SAY("enable -> %d", evconnlistener_enable(lev));
	rounds(3);
	SAY("after enable: calls %d, closed %d, added %d", calls, closed_by_server(c1), added());
	SAY("enable again -> %d, added %d", evconnlistener_enable(lev), added());
	close(c1);

	/* disable / enable stop and resume accepting */
	CHECK_EQ(evconnlistener_disable(lev), 0);
	c1 = client();
	rounds(3);
	SAY("disabled: calls %d, closed %d", calls, closed_by_server(c1));
	CHECK_EQ(evconnlistener_enable(lev), 0);
	rounds(3);
	SAY("enabled: calls %d, closed %d", calls, closed_by_server(c1));
	close(c1);

	/* set_cb(NULL) on an enabled listener: still watched, connections closed unseen */
	evconnlistener_set_cb(lev, NULL, NULL);
	SAY("set_cb(NULL): added %d", added());
	c1 = client();
	rounds(3);
	SAY("set_cb(NULL): calls %d, closed %d", calls, closed_by_server(c1));
	close(c1);

	/* from inside the callback: set_cb(NULL) — the next connection of the same round is closed */
	evconnlistener_set_cb(lev, accept_cb, &set_null);
	c1 = client();
	c2 = client();
	rounds(1);
	SAY("set_cb(NULL) in cb: calls %d, closed %d %d", calls, closed_by_server(c1),
	    closed_by_server(c2));
	close(c1);
	close(c2);

	/* disable inside the callback: the rest wait */
	evconnlistener_set_cb(lev, accept_cb, &disable);
	c1 = client();
	c2 = client();
	rounds(3);
	SAY("disable in cb: calls %d, closed %d %d, added %d", calls, closed_by_server(c1),
	    closed_by_server(c2), added());
	evconnlistener_set_cb(lev, accept_cb, &keep);
	CHECK_EQ(evconnlistener_enable(lev), 0);
	rounds(3);
	SAY("re-enabled: calls %d, closed %d", calls, closed_by_server(c2));
	close(c1);
	close(c2);

	/* free inside the callback (CLOSE_ON_FREE): the socket is closed, nothing stays added */
	fd = evconnlistener_get_fd(lev);
	evconnlistener_set_cb(lev, accept_cb, &do_free);
	c1 = client();
	c2 = client();
	rounds(3);
	SAY("free in cb: calls %d, added %d, socket closed %d", calls, added(),
	    fcntl(fd, F_GETFD) == -1);
	close(c1);
	close(c2);

	/* LEV_OPT_DISABLED */
	addr.sin_port = 0;
	lev = evconnlistener_new_bind(base, accept_cb, &keep, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_DISABLED,
	    -1, (struct sockaddr *)&addr, sizeof(addr));
	CHECK(lev != NULL);
	SAY("LEV_OPT_DISABLED: added %d", added());
	evconnlistener_free(lev);

	/* evconnlistener_new on a socket already listening (backlog 0) */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(fd >= 0);
	r = 1;
	CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &r, sizeof(r)) == 0);
	addr.sin_port = 0;
	CHECK(bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(listen(fd, 8) == 0);
	len = sizeof(addr);
	CHECK(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
	c1 = client();
	lev = evconnlistener_new(base, accept_cb, &keep, 0, 0, fd);
	CHECK(lev != NULL);
	CHECK_EQ(evconnlistener_get_fd(lev), fd);
	r = calls;
	rounds(3);
	SAY("new on a listening socket: accepted %d, closed %d", calls - r, closed_by_server(c1));
	close(c1);
	evconnlistener_free(lev);
	SAY("without CLOSE_ON_FREE the socket stays open: %d", fcntl(fd, F_GETFD) != -1);
	close(fd);

	/* evconnlistener_new on a bound socket, listening with backlog -1 */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	addr.sin_port = 0;
	CHECK(bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	len = sizeof(addr);
	CHECK(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
	lev = evconnlistener_new(base, accept_cb, &keep, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	CHECK(lev != NULL);
	c1 = client();
	r = calls;
	rounds(3);
	SAY("new with backlog -1: accepted %d", calls - r);
	close(c1);
	evconnlistener_free(lev);

	event_base_free(base);
	SAY("done");
	return 0;
}
