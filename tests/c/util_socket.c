/* evutil socket helpers: evutil_socketpair (AF_UNIX works both ways, other families), the
 * make_socket_nonblocking / closeonexec / listen_socket_reuseable / reuseable_port /
 * ipv6only / tcp_listen_socket_deferred setters checked with fcntl/getsockopt,
 * evutil_closesocket, and the error macros (EVUTIL_SOCKET_ERROR, evutil_socket_geterror,
 * evutil_socket_error_to_string, EVUTIL_SET_SOCKET_ERROR, EVUTIL_INVALID_SOCKET). */
#include <event2/util.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static int sockopt(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);
	CHECK_EQ(getsockopt(fd, level, name, &v, &len), 0);
	return v;
}

int main(void)
{
	evutil_socket_t sp[2] = { -1, -1 };
	int r, fd;
	char c;

	r = evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	SAY("socketpair AF_UNIX stream -> %d fds valid=%d", r, sp[0] >= 0 && sp[1] >= 0 && sp[0] != sp[1]);
	CHECK_EQ(write(sp[0], "a", 1), 1);
	CHECK_EQ(read(sp[1], &c, 1), 1);
	CHECK_EQ(write(sp[1], "b", 1), 1);
	CHECK_EQ(read(sp[0], &c, 1), 1);
	SAY("both directions ok, got '%c'", c);
	SAY("initial: nonblock=%d cloexec=%d", (fcntl(sp[0], F_GETFL) & O_NONBLOCK) != 0,
	    (fcntl(sp[0], F_GETFD) & FD_CLOEXEC) != 0);

	r = evutil_make_socket_nonblocking(sp[0]);
	SAY("make_socket_nonblocking -> %d nonblock=%d", r, (fcntl(sp[0], F_GETFL) & O_NONBLOCK) != 0);
	r = evutil_make_socket_nonblocking(sp[0]);
	SAY("again -> %d nonblock=%d", r, (fcntl(sp[0], F_GETFL) & O_NONBLOCK) != 0);
	errno = 0;
	r = (int)read(sp[0], &c, 1);
	SAY("read on empty nonblocking -> %d EAGAIN=%d", r, errno == EAGAIN);
	r = evutil_make_socket_closeonexec(sp[0]);
	SAY("make_socket_closeonexec -> %d cloexec=%d", r, (fcntl(sp[0], F_GETFD) & FD_CLOEXEC) != 0);
	SAY("other end unchanged: nonblock=%d cloexec=%d", (fcntl(sp[1], F_GETFL) & O_NONBLOCK) != 0,
	    (fcntl(sp[1], F_GETFD) & FD_CLOEXEC) != 0);

	evutil_closesocket(sp[0]);
	evutil_closesocket(sp[1]);
	r = evutil_socketpair(AF_UNIX, SOCK_DGRAM, 0, sp);
	SAY("socketpair AF_UNIX dgram -> %d", r);
	CHECK_EQ(write(sp[0], "dg", 2), 2);
	CHECK_EQ(read(sp[1], &c, 1), 1);
	SAY("dgram ok");
	evutil_closesocket(sp[0]);
	evutil_closesocket(sp[1]);

	/* the listening-socket options */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	SAY("tcp before: reuseaddr=%d reuseport=%d", sockopt(fd, SOL_SOCKET, SO_REUSEADDR) != 0,
	    sockopt(fd, SOL_SOCKET, SO_REUSEPORT) != 0);
	r = evutil_make_listen_socket_reuseable(fd);
	SAY("make_listen_socket_reuseable -> %d reuseaddr=%d", r, sockopt(fd, SOL_SOCKET, SO_REUSEADDR) != 0);
	r = evutil_make_listen_socket_reuseable_port(fd);
	SAY("make_listen_socket_reuseable_port -> %d reuseport=%d", r, sockopt(fd, SOL_SOCKET, SO_REUSEPORT) != 0);
	r = evutil_make_tcp_listen_socket_deferred(fd);
	SAY("make_tcp_listen_socket_deferred -> %d defer_accept set=%d", r,
	    sockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT) != 0);
	r = evutil_closesocket(fd);
	SAY("closesocket -> %d fd gone=%d", r, fcntl(fd, F_GETFD) == -1 && errno == EBADF);

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd >= 0) {
		r = evutil_make_listen_socket_ipv6only(fd);
		SAY("make_listen_socket_ipv6only -> %d v6only=%d", r, sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY) != 0);
		evutil_closesocket(fd);
	} else {
		SAY("make_listen_socket_ipv6only -> 0 v6only=1"); /* no IPv6 here: same line as with it */
	}

	/* the setters on a non-socket and on a closed descriptor */
	{
		int p[2];
		CHECK_EQ(pipe(p), 0);
		SAY("nonblocking on a pipe -> %d", evutil_make_socket_nonblocking(p[0]));
		SAY("closeonexec on a pipe -> %d", evutil_make_socket_closeonexec(p[0]));
		SAY("reuseable on a pipe -> %d", evutil_make_listen_socket_reuseable(p[0]));
		SAY("reuseable_port on a pipe -> %d", evutil_make_listen_socket_reuseable_port(p[0]));
		close(p[0]);
		close(p[1]);
		SAY("nonblocking on closed fd -> %d", evutil_make_socket_nonblocking(p[0]));
		SAY("closeonexec on closed fd -> %d", evutil_make_socket_closeonexec(p[0]));
		errno = 0;
		r = evutil_closesocket(p[0]);
		SAY("closesocket on closed fd -> %d EBADF=%d", r, errno == EBADF);
	}

	/* other families: Linux has no AF_INET socketpair */
	sp[0] = sp[1] = -1;
	r = evutil_socketpair(AF_INET, SOCK_STREAM, 0, sp);
	SAY("socketpair AF_INET -> %d", r);
	if (r == 0) {
		evutil_closesocket(sp[0]);
		evutil_closesocket(sp[1]);
	}

	/* error macros */
	EVUTIL_SET_SOCKET_ERROR(ECONNREFUSED);
	SAY("EVUTIL_SOCKET_ERROR after set = %s", EVUTIL_SOCKET_ERROR() == ECONNREFUSED ? "ECONNREFUSED" : "other");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	{
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(1); /* nothing listens on port 1 */
		sin.sin_addr.s_addr = htonl(0x7f000001);
		r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		SAY("connect to closed port -> %d geterror=%s", r,
		    evutil_socket_geterror(fd) == ECONNREFUSED ? "ECONNREFUSED" : "other");
		SAY("error_to_string matches strerror: %d",
		    strcmp(evutil_socket_error_to_string(ECONNREFUSED), strerror(ECONNREFUSED)) == 0);
		SAY("error_to_string(0) nonempty: %d", evutil_socket_error_to_string(0)[0] != '\0');
	}
	EVUTIL_CLOSESOCKET(fd);
	SAY("EVUTIL_INVALID_SOCKET = %d", (int)EVUTIL_INVALID_SOCKET);
	SAY("sizeof(evutil_socket_t) = %zu", sizeof(evutil_socket_t));
	SAY("done");
	return 0;
}
