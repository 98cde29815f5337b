/* Address helpers: evutil_inet_pton / evutil_inet_ntop (IPv4, IPv6, bad input, bad family,
 * short output buffer), evutil_inet_pton_scope, evutil_parse_sockaddr_port over every documented
 * form plus bad ports, garbage and a too-small output, and evutil_sockaddr_cmp (sign only, the
 * order is not promised) with and without ports, IPv4 against IPv6. */
#include <event2/util.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include "check.h"

static void pton4(const char *s)
{
	unsigned char a[4] = { 0xee, 0xee, 0xee, 0xee };
	int r = evutil_inet_pton(AF_INET, s, a);
	if (r == 1)
		SAY("pton4 \"%s\" -> 1 %u.%u.%u.%u", s, a[0], a[1], a[2], a[3]);
	else
		SAY("pton4 \"%s\" -> %d", s, r);
}

static void pton6(const char *s)
{
	unsigned char a[16];
	char back[64];
	int r;
	memset(a, 0xee, sizeof(a));
	r = evutil_inet_pton(AF_INET6, s, a);
	if (r == 1) {
		CHECK(inet_ntop(AF_INET6, a, back, sizeof(back)));
		SAY("pton6 \"%s\" -> 1 %s", s, back);
	} else {
		SAY("pton6 \"%s\" -> %d", s, r);
	}
}

static void ntop6(const char *s)
{
	unsigned char a[16];
	char out[64];
	CHECK_EQ(inet_pton(AF_INET6, s, a), 1);
	SAY("ntop6 %s -> %s", s, evutil_inet_ntop(AF_INET6, a, out, sizeof(out)) ? out : "NULL");
}

static void parse(const char *s, int outlen)
{
	struct sockaddr_storage ss;
	int len = outlen, r;
	char host[64];
	memset(&ss, 0xee, sizeof(ss));
	r = evutil_parse_sockaddr_port(s, (struct sockaddr *)&ss, &len);
	if (r != 0) {
		SAY("parse \"%s\" (outlen %d) -> %d", s, outlen, r);
		return;
	}
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		CHECK(inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host)));
		SAY("parse \"%s\" -> 0 AF_INET %s port %u outlen %d", s, host, ntohs(sin->sin_port), len);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		CHECK(inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host)));
		SAY("parse \"%s\" -> 0 AF_INET6 %s port %u scope %u flowinfo %u outlen %d", s, host,
		    ntohs(sin6->sin6_port), sin6->sin6_scope_id, sin6->sin6_flowinfo, len);
	} else {
		SAY("parse \"%s\" -> 0 family %d", s, ss.ss_family);
	}
}

static struct sockaddr_storage mk(const char *s)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	CHECK_EQ(evutil_parse_sockaddr_port(s, (struct sockaddr *)&ss, &len), 0);
	return ss;
}

static void cmp(const char *x, const char *y, int include_port)
{
	struct sockaddr_storage a = mk(x), b = mk(y);
	int r = evutil_sockaddr_cmp((struct sockaddr *)&a, (struct sockaddr *)&b, include_port);
	int back = evutil_sockaddr_cmp((struct sockaddr *)&b, (struct sockaddr *)&a, include_port);
	CHECK((r < 0 && back > 0) || (r > 0 && back < 0) || (r == 0 && back == 0));
	SAY("cmp %s %s port=%d -> %s", x, y, include_port, r == 0 ? "equal" : "different");
}

int main(void)
{
	char out[64];
	unsigned char a4[4] = { 192, 168, 0, 1 }, any[16];
	int r;

	pton4("1.2.3.4");
	pton4("0.0.0.0");
	pton4("255.255.255.255");
	pton4("1.2.3.256");
	pton4("1.2.3");
	pton4("1.2.3.4.5");
	pton4("1.2.3.4 ");
	pton4(" 1.2.3.4");
	pton4("a.b.c.d");
	pton4("");
	pton4("::1");
	pton6("::1");
	pton6("::");
	pton6("fe80::1:2:3:4");
	pton6("1:2:3:4:5:6:7:8");
	pton6("1:2:3:4:5:6:7:8:9");
	pton6("::ffff:1.2.3.4");
	pton6("1::2::3");
	pton6("12345::1");
	pton6("g::1");
	pton6("1.2.3.4");
	pton6("");
	errno = 0;
	r = evutil_inet_pton(12345, "1.2.3.4", any);
	SAY("pton bad family -> %d EAFNOSUPPORT=%d", r, errno == EAFNOSUPPORT);
	{
		unsigned idx = 777;
		int lo = (int)if_nametoindex("lo");
		r = evutil_inet_pton_scope(AF_INET6, "fe80::1%1", any, &idx);
		SAY("pton_scope fe80::1%%1 -> %d idx=%u", r, idx);
		idx = 777;
		r = evutil_inet_pton_scope(AF_INET6, "fe80::1%lo", any, &idx);
		SAY("pton_scope fe80::1%%lo -> %d idx is lo=%d", r, (int)idx == lo);
		idx = 777;
		r = evutil_inet_pton_scope(AF_INET6, "fe80::1", any, &idx);
		SAY("pton_scope no scope -> %d idx=%u", r, idx);
		idx = 777;
		r = evutil_inet_pton_scope(AF_INET6, "fe80::1%nosuchif0", any, &idx);
		SAY("pton_scope unknown interface -> %d", r);
		idx = 777;
		r = evutil_inet_pton_scope(AF_INET, "1.2.3.4", any, &idx);
		SAY("pton_scope AF_INET -> %d idx=%u", r, idx);
	}

	SAY("ntop4 -> %s", evutil_inet_ntop(AF_INET, a4, out, sizeof(out)) ? out : "NULL");
	SAY("ntop4 len 16 -> %s", evutil_inet_ntop(AF_INET, a4, out, 16) ? out : "NULL");
	SAY("ntop4 len 12 (needs 12) -> %s", evutil_inet_ntop(AF_INET, a4, out, 12) ? out : "NULL");
	SAY("ntop4 len 11 -> %s", evutil_inet_ntop(AF_INET, a4, out, 11) ? out : "NULL");
	ntop6("::");
	ntop6("::1");
	ntop6("1::");
	ntop6("fe80::1:2:3:4");
	ntop6("1:0:0:2:0:0:0:3");
	ntop6("1:0:2:0:3:0:4:0");
	ntop6("2001:db8::ff00:42:8329");
	ntop6("::ffff:1.2.3.4");
	ntop6("::1.2.3.4");
	ntop6("1:2:3:4:5:6:7:8");
	ntop6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	{
		unsigned char a6[16];
		CHECK_EQ(inet_pton(AF_INET6, "fe80::1", a6), 1);
		SAY("ntop6 len 8 -> %s", evutil_inet_ntop(AF_INET6, a6, out, 8) ? out : "NULL");
		SAY("ntop6 len 7 -> %s", evutil_inet_ntop(AF_INET6, a6, out, 7) ? out : "NULL");
	}
	errno = 0;
	SAY("ntop bad family -> %s", evutil_inet_ntop(12345, a4, out, sizeof(out)) ? "str" : "NULL");

	parse("1.2.3.4", sizeof(struct sockaddr_storage));
	parse("1.2.3.4:80", sizeof(struct sockaddr_storage));
	parse("1.2.3.4:0", sizeof(struct sockaddr_storage));
	parse("1.2.3.4:65535", sizeof(struct sockaddr_storage));
	parse("1.2.3.4:65536", sizeof(struct sockaddr_storage));
	parse("1.2.3.4:-1", sizeof(struct sockaddr_storage));
	parse("1.2.3.4:abc", sizeof(struct sockaddr_storage));
	parse("1.2.3.4:80x", sizeof(struct sockaddr_storage));
	parse("1.2.3.4:", sizeof(struct sockaddr_storage));
	parse("1.2.3.4:80:90", sizeof(struct sockaddr_storage));
	parse("[::1]", sizeof(struct sockaddr_storage));
	parse("[::1]:80", sizeof(struct sockaddr_storage));
	parse("[::1]:65536", sizeof(struct sockaddr_storage));
	parse("[::1]:", sizeof(struct sockaddr_storage));
	parse("[::1]80", sizeof(struct sockaddr_storage));
	parse("[::1", sizeof(struct sockaddr_storage));
	parse("::1", sizeof(struct sockaddr_storage));
	parse("ffff::127.0.0.1", sizeof(struct sockaddr_storage));
	parse("fe80::1:2", sizeof(struct sockaddr_storage));
	parse("[fe80::1%1]:8080", sizeof(struct sockaddr_storage));
	parse("[1.2.3.4]:80", sizeof(struct sockaddr_storage));
	parse("[1.2.3.4]", sizeof(struct sockaddr_storage));
	parse("localhost", sizeof(struct sockaddr_storage));
	parse("localhost:80", sizeof(struct sockaddr_storage));
	parse("1.2.3.256:80", sizeof(struct sockaddr_storage));
	parse("", sizeof(struct sockaddr_storage));
	parse(":80", sizeof(struct sockaddr_storage));
	parse("[]:80", sizeof(struct sockaddr_storage));
	parse("1.2.3.4", (int)sizeof(struct sockaddr_in));
	parse("1.2.3.4", (int)sizeof(struct sockaddr_in) - 1);
	parse("[::1]:80", (int)sizeof(struct sockaddr_in6));
	parse("[::1]:80", (int)sizeof(struct sockaddr_in6) - 1);
	parse("[::1]:80", (int)sizeof(struct sockaddr_in));
	parse("1.2.3.4", 0);

	cmp("1.2.3.4:80", "1.2.3.4:80", 1);
	cmp("1.2.3.4:80", "1.2.3.4:81", 1);
	cmp("1.2.3.4:80", "1.2.3.4:81", 0);
	cmp("1.2.3.4:80", "1.2.3.5:80", 0);
	cmp("1.2.3.4:80", "1.2.3.5:80", 1);
	cmp("[::1]:80", "[::1]:80", 1);
	cmp("[::1]:80", "[::1]:90", 1);
	cmp("[::1]:80", "[::1]:90", 0);
	cmp("[::1]:80", "[::2]:80", 0);
	cmp("1.2.3.4:80", "[::1]:80", 0);
	cmp("0.0.0.1", "[::1]", 0);
	cmp("1.2.3.4", "[::ffff:1.2.3.4]", 0);
	{
		/* the sign of an address comparison (network order) is what both libraries agree on */
		struct sockaddr_storage x = mk("1.2.3.4:80"), y = mk("1.2.3.5:70");
		r = evutil_sockaddr_cmp((struct sockaddr *)&x, (struct sockaddr *)&y, 1);
		SAY("cmp 1.2.3.4:80 1.2.3.5:70 sign %d", r < 0 ? -1 : r > 0);
		x = mk("1.2.3.4:80");
		y = mk("1.2.3.4:70");
		r = evutil_sockaddr_cmp((struct sockaddr *)&x, (struct sockaddr *)&y, 1);
		SAY("cmp 1.2.3.4:80 1.2.3.4:70 sign %d", r < 0 ? -1 : r > 0);
		x = mk("1.2.3.4");
		y = mk("[::1]");
		r = evutil_sockaddr_cmp((struct sockaddr *)&x, (struct sockaddr *)&y, 1);
		SAY("cmp v4 v6 sign %d", r < 0 ? -1 : r > 0);
	}
	SAY("done");
	return 0;
}
