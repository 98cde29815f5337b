/* evutil_getaddrinfo with numeric hosts only (no DNS): every result's family, socktype, protocol,
 * address, port and canonname for AF_UNSPEC/AF_INET/AF_INET6 hints, socktype 0 (stream and
 * dgram, no raw), NULL hints, NULL node with and without EVUTIL_AI_PASSIVE, NUMERICHOST on a
 * name, NUMERICSERV, CANONNAME, V4MAPPED, ADDRCONFIG on loopback, bad ports and families;
 * evutil_freeaddrinfo on every result list; evutil_gai_strerror for every EVUTIL_EAI_* code. */
#include <event2/util.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include "check.h"

static const char *eai_name(int e)
{
	switch (e) {
	case 0: return "0";
	case EVUTIL_EAI_ADDRFAMILY: return "EAI_ADDRFAMILY";
	case EVUTIL_EAI_AGAIN: return "EAI_AGAIN";
	case EVUTIL_EAI_BADFLAGS: return "EAI_BADFLAGS";
	case EVUTIL_EAI_FAIL: return "EAI_FAIL";
	case EVUTIL_EAI_FAMILY: return "EAI_FAMILY";
	case EVUTIL_EAI_MEMORY: return "EAI_MEMORY";
	case EVUTIL_EAI_NODATA: return "EAI_NODATA";
	case EVUTIL_EAI_NONAME: return "EAI_NONAME";
	case EVUTIL_EAI_SERVICE: return "EAI_SERVICE";
	case EVUTIL_EAI_SOCKTYPE: return "EAI_SOCKTYPE";
	case EVUTIL_EAI_SYSTEM: return "EAI_SYSTEM";
	case EVUTIL_EAI_CANCEL: return "EAI_CANCEL";
	}
	return "other";
}

static void gai(const char *node, const char *serv, int family, int socktype, int flags, int null_hints)
{
	struct evutil_addrinfo hints, *res = NULL, *ai;
	int r, n = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = flags;
	r = evutil_getaddrinfo(node, serv, null_hints ? NULL : &hints, &res);
	printf("gai(%s, %s, fam=%d, sock=%d, flags=0x%x%s) -> %s\n", node ? node : "NULL", serv ? serv : "NULL",
	    family, socktype, flags, null_hints ? ", NULL hints" : "", eai_name(r));
	if (r != 0) {
		CHECK(res == NULL);
		return;
	}
	CHECK(res != NULL);
	for (ai = res; ai; ai = ai->ai_next, n++) {
		char host[64] = "?";
		unsigned port = 0;
		if (ai->ai_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)ai->ai_addr;
			CHECK_EQ(ai->ai_addrlen, sizeof(*sin));
			inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
			port = ntohs(sin->sin_port);
		} else if (ai->ai_family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ai->ai_addr;
			CHECK_EQ(ai->ai_addrlen, sizeof(*sin6));
			inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
			port = ntohs(sin6->sin6_port);
		}
		CHECK_EQ(ai->ai_addr->sa_family, ai->ai_family);
		SAY("  [%d] %s sock=%d proto=%d %s port %u canon=%s", n,
		    ai->ai_family == AF_INET ? "AF_INET" : ai->ai_family == AF_INET6 ? "AF_INET6" : "?",
		    ai->ai_socktype, ai->ai_protocol, host, port, ai->ai_canonname ? ai->ai_canonname : "NULL");
	}
	evutil_freeaddrinfo(res);
}

int main(void)
{
	static const int codes[] = { EVUTIL_EAI_ADDRFAMILY, EVUTIL_EAI_AGAIN, EVUTIL_EAI_BADFLAGS,
		EVUTIL_EAI_FAIL, EVUTIL_EAI_FAMILY, EVUTIL_EAI_MEMORY, EVUTIL_EAI_NODATA, EVUTIL_EAI_NONAME,
		EVUTIL_EAI_SERVICE, EVUTIL_EAI_SOCKTYPE, EVUTIL_EAI_SYSTEM, EVUTIL_EAI_CANCEL, 0 };
	size_t i;

	SAY("flag values PASSIVE=0x%x CANONNAME=0x%x NUMERICHOST=0x%x NUMERICSERV=0x%x V4MAPPED=0x%x "
	    "ALL=0x%x ADDRCONFIG=0x%x", EVUTIL_AI_PASSIVE, EVUTIL_AI_CANONNAME, EVUTIL_AI_NUMERICHOST,
	    EVUTIL_AI_NUMERICSERV, EVUTIL_AI_V4MAPPED, EVUTIL_AI_ALL, EVUTIL_AI_ADDRCONFIG);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		SAY("gai_strerror(%s=%d) = \"%s\"", eai_name(codes[i]), codes[i], evutil_gai_strerror(codes[i]));

	SAY("gai_strerror(12345) = \"%s\"", evutil_gai_strerror(12345));
	SAY("gai_strerror(-12345) = \"%s\"", evutil_gai_strerror(-12345));
	gai("127.0.0.1", "80", AF_UNSPEC, SOCK_STREAM, EVUTIL_AI_NUMERICHOST, 0);
	gai("127.0.0.1", "80", AF_UNSPEC, SOCK_DGRAM, 0, 0);
	gai("127.0.0.1", "80", AF_UNSPEC, 0, 0, 0);
	gai("127.0.0.1", "8080", 0, 0, 0, 1);
	gai("127.0.0.1", NULL, AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "0", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "65535", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "65536", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "-1", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "80", AF_INET6, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "80", AF_INET6, SOCK_STREAM, EVUTIL_AI_V4MAPPED, 0);
	gai("::1", "443", AF_UNSPEC, SOCK_STREAM, EVUTIL_AI_NUMERICHOST, 0);
	gai("::1", "443", AF_INET, SOCK_STREAM, 0, 0);
	gai("::1", "443", AF_INET6, 0, 0, 0);
	gai("fe80::1%1", "80", AF_INET6, SOCK_STREAM, EVUTIL_AI_NUMERICHOST, 0);
	gai(NULL, "80", AF_INET, SOCK_STREAM, EVUTIL_AI_PASSIVE, 0);
	gai(NULL, "80", AF_INET6, SOCK_STREAM, EVUTIL_AI_PASSIVE, 0);
	gai(NULL, "80", AF_INET, SOCK_STREAM, 0, 0);
	gai(NULL, "80", AF_INET6, SOCK_STREAM, 0, 0);
	gai(NULL, NULL, AF_INET, SOCK_STREAM, EVUTIL_AI_PASSIVE, 0);
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, EVUTIL_AI_CANONNAME | EVUTIL_AI_NUMERICHOST, 0);
	gai("localhost", "80", AF_INET, SOCK_STREAM, EVUTIL_AI_NUMERICHOST, 0);
	gai("not-an-address", NULL, AF_UNSPEC, SOCK_STREAM, EVUTIL_AI_NUMERICHOST, 0);
	gai("127.0.0.1", "http", AF_INET, SOCK_STREAM, EVUTIL_AI_NUMERICSERV, 0);
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, EVUTIL_AI_NUMERICSERV, 0);
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, EVUTIL_AI_ADDRCONFIG | EVUTIL_AI_NUMERICHOST, 0);
	gai("127.0.0.1", "80", AF_UNIX, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, 0x40000000, 0);
	gai("1.2.3.4", "80", AF_INET, 0, 0, 0);
	/* (evutil_freeaddrinfo(NULL) crashes the reference: not called) */
	SAY("done");
	return 0;
}
