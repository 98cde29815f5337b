/* evconnlistener on a Unix-domain socket in a temporary directory: evconnlistener_new_bind with
 * a sockaddr_un, clients connect and are accepted with an AF_UNIX peer address, data flows both
 * ways; LEV_OPT_DEFERRED_ACCEPT (a TCP option) makes new_bind fail on a Unix socket. */
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "check.h"

#define NCLIENTS 3

static int accepted, fds[NCLIENTS];

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
    int socklen, void *arg)
{
	(void)lev;
	(void)arg;
	CHECK(accepted < NCLIENTS);
	CHECK_EQ(sa->sa_family, AF_UNIX);
	/* unnamed client sockets: just the family */
	CHECK(socklen >= (int)sizeof(sa_family_t));
	fds[accepted++] = fd;
}

int main(void)
{
	char dir[] = "/tmp/rsevent-listener-XXXXXX";
	struct sockaddr_un sun;
	struct event_base *base;
	struct evconnlistener *lev;
	struct stat st;
	int clients[NCLIENTS], i, rounds = 0;

	CHECK(mkdtemp(dir) != NULL);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	CHECK((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir) < sizeof(sun.sun_path));

	base = event_base_new();
	CHECK(base != NULL);
	lev = evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE, -1,
	    (struct sockaddr *)&sun, sizeof(sun));
	CHECK(lev != NULL);
	CHECK(stat(sun.sun_path, &st) == 0);
	SAY("socket file exists: %d", S_ISSOCK(st.st_mode));
	for (i = 0; i < NCLIENTS; i++) {
		clients[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK(clients[i] >= 0);
		CHECK(connect(clients[i], (struct sockaddr *)&sun, sizeof(sun)) == 0);
	}
	while (accepted < NCLIENTS) {
		CHECK(++rounds < 100);
		CHECK(event_base_loop(base, EVLOOP_ONCE) == 0);
	}
	SAY("accepted %d unix connections", accepted);
	for (i = 0; i < NCLIENTS; i++) {
		char c = 0;
		CHECK(write(clients[i], "u", 1) == 1);
		CHECK(read(fds[i], &c, 1) == 1 && c == 'u');
		CHECK(write(fds[i], "v", 1) == 1);
		CHECK(read(clients[i], &c, 1) == 1 && c == 'v');
		close(fds[i]);
		close(clients[i]);
	}
	SAY("data flows both ways");
	evconnlistener_free(lev);
	CHECK(unlink(sun.sun_path) == 0);

	lev = evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_DEFERRED_ACCEPT, -1,
	    (struct sockaddr *)&sun, sizeof(sun));
	SAY("unix + DEFERRED_ACCEPT: %s", lev ? "listener" : "NULL");
	if (lev)
		evconnlistener_free(lev);
	/* the failed attempt did not bind (the option is set before bind) */
	SAY("no socket file left: %d", stat(sun.sun_path, &st) == -1 && errno == ENOENT);
	CHECK(rmdir(dir) == 0);
	event_base_free(base);
	SAY("done");
	return 0;
}
