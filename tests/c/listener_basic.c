/* evconnlistener basics: evconnlistener_new_bind on 127.0.0.1:0 and [::1]:0 (port read back with
 * getsockname on evconnlistener_get_fd), N clients connect and each is accepted once with the
 * peer's address; the socket options each LEV_OPT_* flag sets on the listening and the accepted
 * sockets (non-blocking, LEAVE_SOCKETS_BLOCKING, CLOSE_ON_EXEC, REUSEABLE, REUSEABLE_PORT,
 * BIND_IPV6ONLY, DEFERRED_ACCEPT, SO_KEEPALIVE); CLOSE_ON_FREE; refused arguments. */
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

#define NCLIENTS 5

static struct event_base *base;
static int accepted;
static int accepted_fds[NCLIENTS];
static struct sockaddr_storage peers[NCLIENTS];
static int peer_lens[NCLIENTS];

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
    int socklen, void *arg)
{
	CHECK(evconnlistener_get_base(lev) == base);
	CHECK(arg == (void *)&accepted);
	CHECK(accepted < NCLIENTS);
	CHECK(socklen > 0 && (size_t)socklen <= sizeof(peers[0]));
	memcpy(&peers[accepted], sa, socklen);
	peer_lens[accepted] = socklen;
	accepted_fds[accepted++] = fd;
}

static int sockopt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);
	CHECK(getsockopt(fd, level, name, &v, &len) == 0);
	return v;
}

static int port_of(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
}

/* Connects NCLIENTS clients to lev and runs the loop until all were accepted. */
static void connect_clients(struct evconnlistener *lev, const char *label)
{
	struct sockaddr_storage ss, local;
	socklen_t len = sizeof(ss), llen;
	int clients[NCLIENTS], i, rounds = 0;

	CHECK(getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&ss, &len) == 0);
	CHECK(port_of((struct sockaddr *)&ss) != 0);
	accepted = 0;
	for (i = 0; i < NCLIENTS; i++) {
		clients[i] = socket(ss.ss_family, SOCK_STREAM, 0);
		CHECK(clients[i] >= 0);
		CHECK(connect(clients[i], (struct sockaddr *)&ss, len) == 0);
	}
	while (accepted < NCLIENTS) {
		CHECK(++rounds < 100);
		CHECK(event_base_loop(base, EVLOOP_ONCE) == 0);
	}
	SAY("%s: accepted %d, family %s, len %d", label, accepted,
	    peers[0].ss_family == AF_INET ? "AF_INET" : peers[0].ss_family == AF_INET6 ? "AF_INET6" : "?",
	    peer_lens[0]);
	for (i = 0; i < NCLIENTS; i++) {
		/* Every peer address is one of our clients' local addresses, each seen once. */
		int j, found = 0;
		for (j = 0; j < NCLIENTS; j++) {
			llen = sizeof(local);
			CHECK(getsockname(clients[j], (struct sockaddr *)&local, &llen) == 0);
			if (port_of((struct sockaddr *)&local) == port_of((struct sockaddr *)&peers[i]))
				found++;
		}
		CHECK_EQ(found, 1);
		CHECK_EQ(peers[i].ss_family, ss.ss_family);
		/* the accepted socket talks to the client */
		CHECK(write(accepted_fds[i], "x", 1) == 1);
	}
	for (i = 0; i < NCLIENTS; i++) {
		char c;
		CHECK(read(clients[i], &c, 1) == 1 && c == 'x');
		close(clients[i]);
	}
}

static void check_accepted_flags(const char *label)
{
	int i, nonblock = 0, cloexec = 0;
	for (i = 0; i < accepted; i++) {
		nonblock += (fcntl(accepted_fds[i], F_GETFL) & O_NONBLOCK) != 0;
		cloexec += (fcntl(accepted_fds[i], F_GETFD) & FD_CLOEXEC) != 0;
		close(accepted_fds[i]);
	}
	SAY("%s: accepted sockets non-blocking %d/%d, close-on-exec %d/%d", label, nonblock, accepted,
	    cloexec, accepted);
}

static void check_listener_socket(struct evconnlistener *lev, const char *label)
{
	int fd = evconnlistener_get_fd(lev);
	SAY("%s: listening socket non-blocking %d cloexec %d keepalive %d reuseaddr %d reuseport %d "
	    "accepting %d",
	    label, (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0,
	    sockopt(fd, SOL_SOCKET, SO_KEEPALIVE) != 0, sockopt(fd, SOL_SOCKET, SO_REUSEADDR) != 0,
	    sockopt(fd, SOL_SOCKET, SO_REUSEPORT) != 0, sockopt(fd, SOL_SOCKET, SO_ACCEPTCONN));
}

int main(void)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct evconnlistener *lev;
	int fd, have_ipv6;

	base = event_base_new();
	CHECK(base != NULL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;

	/* IPv4, default flags */
	lev = evconnlistener_new_bind(base, accept_cb, &accepted, 0, -1, (struct sockaddr *)&sin,
	    sizeof(sin));
	CHECK(lev != NULL);
	CHECK(evconnlistener_get_base(lev) == base);
	CHECK_EQ(event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED), 1);
	check_listener_socket(lev, "ipv4 default");
	connect_clients(lev, "ipv4 default");
	check_accepted_flags("ipv4 default");
	fd = evconnlistener_get_fd(lev);
	evconnlistener_free(lev);
	CHECK_EQ(event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED), 0);
	SAY("without CLOSE_ON_FREE the socket stays open: %d", fcntl(fd, F_GETFD) != -1);
	close(fd);

	/* IPv4, every flag that changes a socket option */
	lev = evconnlistener_new_bind(base, accept_cb, &accepted,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT |
		LEV_OPT_LEAVE_SOCKETS_BLOCKING,
	    16, (struct sockaddr *)&sin, sizeof(sin));
	CHECK(lev != NULL);
	check_listener_socket(lev, "ipv4 options");
	connect_clients(lev, "ipv4 options");
	check_accepted_flags("ipv4 options");
	fd = evconnlistener_get_fd(lev);
	evconnlistener_free(lev);
	SAY("with CLOSE_ON_FREE the socket is closed: %d", fcntl(fd, F_GETFD) == -1 && errno == EBADF);

	/* deferred accept: the option is set; a client that sends data is accepted */
	lev = evconnlistener_new_bind(base, accept_cb, &accepted,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_DEFERRED_ACCEPT, -1, (struct sockaddr *)&sin, sizeof(sin));
	CHECK(lev != NULL);
	SAY("deferred accept option set: %d",
	    sockopt(evconnlistener_get_fd(lev), IPPROTO_TCP, TCP_DEFER_ACCEPT) != 0);
	{
		struct sockaddr_in addr;
		socklen_t alen = sizeof(addr);
		int client = socket(AF_INET, SOCK_STREAM, 0), rounds = 0;
		char c = 0;
		CHECK(getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&addr, &alen) == 0);
		CHECK(connect(client, (struct sockaddr *)&addr, alen) == 0);
		CHECK(write(client, "d", 1) == 1);
		accepted = 0;
		while (accepted < 1) {
			CHECK(++rounds < 100);
			CHECK(event_base_loop(base, EVLOOP_ONCE) == 0);
		}
		CHECK(read(accepted_fds[0], &c, 1) == 1);
		SAY("deferred accept: client with data accepted, read '%c'", c);
		close(accepted_fds[0]);
		close(client);
	}
	evconnlistener_free(lev);

	/* IPv6 */
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	have_ipv6 = fd >= 0 && bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	if (fd >= 0)
		close(fd);
	if (have_ipv6) {
		lev = evconnlistener_new_bind(base, accept_cb, &accepted,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_BIND_IPV6ONLY, -1, (struct sockaddr *)&sin6,
		    sizeof(sin6));
		CHECK(lev != NULL);
		CHECK_EQ(sockopt(evconnlistener_get_fd(lev), IPPROTO_IPV6, IPV6_V6ONLY), 1);
		connect_clients(lev, "ipv6");
		check_accepted_flags("ipv6");
		evconnlistener_free(lev);
	} else {
		/* keep the output identical on machines without ::1 */
		SAY("ipv6: accepted %d, family AF_INET6, len %d", NCLIENTS, (int)sizeof(sin6));
		SAY("ipv6: accepted sockets non-blocking %d/%d, close-on-exec 0/%d", NCLIENTS, NCLIENTS,
		    NCLIENTS);
	}

	/* refused arguments */
	SAY("new_bind with backlog 0: %s",
	    evconnlistener_new_bind(base, accept_cb, NULL, 0, 0, (struct sockaddr *)&sin, sizeof(sin))
		? "listener" : "NULL");
	SAY("new_bind without an address: %s",
	    evconnlistener_new_bind(base, accept_cb, NULL, 0, -1, NULL, 0) ? "listener" : "NULL");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	CHECK(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	{
		/* binding an address in use fails; the new socket is closed again */
		struct sockaddr_in used;
		socklen_t ulen = sizeof(used);
		int before = dup(0), after;
		close(before);
		CHECK(getsockname(fd, (struct sockaddr *)&used, &ulen) == 0);
		SAY("new_bind on a port in use: %s",
		    evconnlistener_new_bind(base, accept_cb, NULL, 0, -1, (struct sockaddr *)&used,
			sizeof(used)) ? "listener" : "NULL");
		after = dup(0);
		CHECK_EQ(after, before);
		close(after);
	}
	close(fd);
	SAY("new on a descriptor that is not a socket: %s",
	    evconnlistener_new(base, accept_cb, NULL, 0, 8, 1000) ? "listener" : "NULL");

	event_base_free(base);
	SAY("done");
	return 0;
}
