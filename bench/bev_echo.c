/* bev_echo: socket bufferevents echoing over loopback TCP, clients and server in one event base.
 *
 * The server is an evconnlistener bound to 127.0.0.1:0; every accepted connection gets a socket
 * bufferevent whose read callback moves its whole input buffer to its output buffer
 * (bufferevent_write_buffer). The clients are socket bufferevents connected with
 * bufferevent_socket_connect, all in the same base.
 *
 * Modes (-m):
 *   echo  C clients (-c, default 200) each send R messages (-r, default 100) of S bytes (-s,
 *         default 64), one at a time: a client sends its next message when the echo of the previous
 *         one has come back in full. All C connections are open and connected before the measured
 *         section, which is the sending of the first messages plus the loop until every client has
 *         got its R echoes. Operation: one message echoed. Checked after: every client received
 *         exactly R * S bytes, the server echoed C * R * S bytes, the data came back unchanged.
 *   idle  N connections (-n, default 2000) are opened to the listener, one at a time, from plain
 *         blocking client sockets (so only the server side allocates through libevent); each
 *         accepted connection gets a socket bufferevent with the echo callbacks and EV_READ
 *         enabled, and stays idle. The heap in use (mallinfo2: arena bytes in use plus mmapped
 *         blocks) is taken after one warm-up connection and again after the N; the difference
 *         divided by N is reported as heap_per_conn. The measured section is the N accepts.
 *         Operation: one connection accepted and set up.
 *
 * Usage: bev_echo [-m echo|idle] [-c clients] [-s size] [-r rounds] [-n idle connections]
 * Output: one line with ops= and ns= (see bench.h); idle mode adds heap_per_conn= and rss_per_conn=.
 *
 * Sockets are closed with SO_LINGER 0 (reset, no TIME_WAIT) so that repeated runs do not use up
 * the loopback port range. Uses only the public API of event2/event.h, event2/buffer.h,
 * event2/bufferevent.h and event2/listener.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "bench.h"

static long n_clients = 200, msg_size = 64, n_rounds = 100, n_idle = 2000;

static struct event_base *base;
static struct sockaddr_in addr;

/* Server side. */
static struct bufferevent **servers;
static long n_servers, max_servers;
static unsigned long long server_bytes;

/* Client side. */
struct client {
	struct bufferevent *bev;
	long sent;            /* messages sent */
	long received;        /* bytes received */
	int connected;
	int bad;              /* echoed bytes differed from what was sent */
};
static struct client *clients;
static long n_connected, n_done;
static unsigned char *message;

static void die(const char *what)
{
	fprintf(stderr, "bev_echo: %s\n", what);
	exit(1);
}

static void no_linger(evutil_socket_t fd)
{
	struct linger lg = { 1, 0 };
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void echo_read_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	(void)arg;
	server_bytes += evbuffer_get_length(in);
	if (bufferevent_write_buffer(bev, in) != 0)
		die("bufferevent_write_buffer failed");
}

static void echo_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		fprintf(stderr, "bev_echo: server connection closed early (events 0x%x)\n", what);
		exit(1);
	}
}

static void accept_cb(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
    int socklen, void *arg)
{
	(void)lis;
	(void)sa;
	(void)socklen;
	(void)arg;
	if (n_servers == max_servers)
		die("more connections accepted than opened");
	struct bufferevent *bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!bev)
		die("bufferevent_socket_new (server) failed");
	bufferevent_setcb(bev, echo_read_cb, NULL, echo_event_cb, NULL);
	if (bufferevent_enable(bev, EV_READ | EV_WRITE) != 0)
		die("bufferevent_enable (server) failed");
	servers[n_servers++] = bev;
}

static void client_send(struct client *c)
{
	if (bufferevent_write(c->bev, message, (size_t)msg_size) != 0)
		die("bufferevent_write failed");
	c->sent++;
}

static void client_read_cb(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);

	/* Check the last message's echo byte for byte; the others are only counted. */
	if (c->sent == n_rounds && c->received + (long)len == n_rounds * msg_size) {
		long off = c->received % msg_size;
		long have = msg_size - off;
		if ((long)len <= have) {
			unsigned char *p = evbuffer_pullup(in, -1);
			if (!p || memcmp(p, message + off, len) != 0)
				c->bad = 1;
		}
	}
	evbuffer_drain(in, len);
	c->received += (long)len;
	if (c->received > c->sent * msg_size)
		die("client received more than it sent");
	if (c->received == c->sent * msg_size) {
		if (c->sent < n_rounds) {
			client_send(c);
		} else if (++n_done == n_clients) {
			event_base_loopbreak(base);
		}
	}
}

static void client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client *c = arg;
	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		c->connected = 1;
		n_connected++;
		return;
	}
	fprintf(stderr, "bev_echo: client connection failed or closed (events 0x%x)\n", what);
	exit(1);
}

static void raise_fd_limit(long needed)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)needed) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)needed)
		die("file descriptor limit too low for this many connections");
}

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static long rss_bytes(void)
{
	long pages_total = 0, pages_rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages_total, &pages_rss) != 2)
			pages_rss = 0;
		fclose(f);
	}
	return pages_rss * sysconf(_SC_PAGESIZE);
}

/* Opens one plain client socket to the listener and runs the loop until the server accepted it. */
static int open_idle_client(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		perror("connect");
		exit(1);
	}
	long want = n_servers + 1;
	while (n_servers < want)
		if (event_base_loop(base, EVLOOP_ONCE) != 0)
			die("event_base_loop failed while accepting");
	return fd;
}

static int run_idle(void)
{
	max_servers = n_idle + 1;
	servers = calloc((size_t)max_servers, sizeof(*servers));
	int *fds = calloc((size_t)max_servers, sizeof(*fds));
	if (!servers || !fds)
		die("out of memory");

	/* One warm-up connection: first-use allocations of the base and the backend stay out. */
	fds[0] = open_idle_client();
	malloc_trim(0);
	size_t heap0 = heap_in_use();
	long rss0 = rss_bytes();

	uint64_t t0 = bench_begin();
	for (long i = 1; i <= n_idle; i++)
		fds[i] = open_idle_client();
	uint64_t ns = bench_end(t0);

	size_t heap1 = heap_in_use();
	long rss1 = rss_bytes();
	if (n_servers != n_idle + 1)
		die("accepted count differs from connections opened");
	/* Still idle: one more pass delivers nothing and closes nothing. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	if (server_bytes != 0)
		die("idle connections received data");

	double heap_per = ((double)heap1 - (double)heap0) / (double)n_idle;
	double rss_per = ((double)rss1 - (double)rss0) / (double)n_idle;
	char params[160];
	snprintf(params, sizeof(params), "mode=idle n=%ld heap_per_conn=%.1f rss_per_conn=%.1f",
	    n_idle, heap_per, rss_per);
	bench_report("bev_echo", params, (unsigned long long)n_idle, ns);

	for (long i = 0; i <= n_idle; i++) {
		no_linger(fds[i]);
		close(fds[i]);
	}
	for (long i = 0; i < n_servers; i++)
		bufferevent_free(servers[i]);
	free(fds);
	free(servers);
	return 0;
}

static int run_echo(void)
{
	max_servers = n_clients;
	servers = calloc((size_t)n_clients, sizeof(*servers));
	clients = calloc((size_t)n_clients, sizeof(*clients));
	message = malloc((size_t)msg_size);
	if (!servers || !clients || !message)
		die("out of memory");
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	for (long i = 0; i < msg_size; i++)
		message[i] = (unsigned char)bench_rand(&seed);

	/* Connect every client (at most 64 in flight, within the listen backlog) and wait until
	 * all are connected and accepted. */
	long opened = 0;
	while (n_connected < n_clients || n_servers < n_clients) {
		while (opened < n_clients && opened - n_servers < 64) {
			struct client *c = &clients[opened];
			c->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
			if (!c->bev)
				die("bufferevent_socket_new (client) failed");
			bufferevent_setcb(c->bev, client_read_cb, NULL, client_event_cb, c);
			if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0)
				die("bufferevent_enable (client) failed");
			if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&addr,
				sizeof(addr)) != 0)
				die("bufferevent_socket_connect failed");
			opened++;
		}
		if (event_base_loop(base, EVLOOP_ONCE) != 0)
			die("event_base_loop failed while connecting");
	}
	for (long i = 0; i < n_clients; i++) {
		int one = 1;
		setsockopt(bufferevent_getfd(clients[i].bev), IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		setsockopt(bufferevent_getfd(servers[i]), IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	}

	uint64_t t0 = bench_begin();
	for (long i = 0; i < n_clients; i++)
		client_send(&clients[i]);
	if (event_base_dispatch(base) != 0)
		die("event_base_dispatch failed");
	uint64_t ns = bench_end(t0);

	if (n_done != n_clients)
		die("loop ended before every client got its echoes");
	unsigned long long expect = (unsigned long long)n_clients * (unsigned long long)n_rounds *
	    (unsigned long long)msg_size;
	if (server_bytes != expect) {
		fprintf(stderr, "bev_echo: server echoed %llu bytes, expected %llu\n", server_bytes,
		    expect);
		return 1;
	}
	for (long i = 0; i < n_clients; i++) {
		if (clients[i].received != n_rounds * msg_size || clients[i].sent != n_rounds) {
			fprintf(stderr, "bev_echo: client %ld got %ld bytes, expected %ld\n", i,
			    clients[i].received, n_rounds * msg_size);
			return 1;
		}
		if (clients[i].bad) {
			fprintf(stderr, "bev_echo: client %ld: echoed data differs\n", i);
			return 1;
		}
	}
	/* Nothing left in flight: one more pass moves no byte. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	if (server_bytes != expect)
		die("bytes moved after the last echo");

	char params[160];
	snprintf(params, sizeof(params), "mode=echo c=%ld s=%ld r=%ld bytes=%llu", n_clients,
	    msg_size, n_rounds, expect);
	bench_report("bev_echo", params, (unsigned long long)(n_clients * n_rounds), ns);

	for (long i = 0; i < n_clients; i++) {
		no_linger(bufferevent_getfd(clients[i].bev));
		bufferevent_free(clients[i].bev);
	}
	for (long i = 0; i < n_servers; i++) {
		no_linger(bufferevent_getfd(servers[i]));
		bufferevent_free(servers[i]);
	}
	free(clients);
	free(servers);
	free(message);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = "echo";
	int opt;
	while ((opt = getopt(argc, argv, "m:c:s:r:n:")) != -1) {
		char name[2] = { (char)opt, 0 };
		switch (opt) {
		case 'm': mode = optarg; break;
		case 'c': n_clients = bench_parse(name, optarg); break;
		case 's': msg_size = bench_parse(name, optarg); break;
		case 'r': n_rounds = bench_parse(name, optarg); break;
		case 'n': n_idle = bench_parse(name, optarg); break;
		default:
			fprintf(stderr, "usage: %s [-m echo|idle] [-c clients] [-s size] [-r rounds] "
			    "[-n idle connections]\n", argv[0]);
			return 2;
		}
	}
	int idle = strcmp(mode, "idle") == 0;
	if (!idle && strcmp(mode, "echo") != 0) {
		fprintf(stderr, "unknown mode: %s\n", mode);
		return 2;
	}
	if (n_clients < 1 || msg_size < 1 || n_rounds < 1 || n_idle < 1) {
		fprintf(stderr, "counts and sizes must be at least 1\n");
		return 2;
	}
	raise_fd_limit(2 * (idle ? n_idle + 1 : n_clients) + 64);

	base = event_base_new();
	if (!base)
		die("event_base_new failed");
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	struct evconnlistener *lis = evconnlistener_new_bind(base, accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128, (struct sockaddr *)&addr, sizeof(addr));
	if (!lis)
		die("evconnlistener_new_bind failed");
	socklen_t alen = sizeof(addr);
	if (getsockname(evconnlistener_get_fd(lis), (struct sockaddr *)&addr, &alen) != 0)
		die("getsockname failed");

	int rc = idle ? run_idle() : run_echo();
	evconnlistener_free(lis);
	event_base_free(base);
	return rc;
}
