/* pingpong: dispatch cost of level-triggered read events.
 *
 * N socketpairs, each with one persistent EV_READ event on its read end, added once before timing.
 * A round writes one byte into A pairs spread evenly over the N; every callback reads exactly one
 * byte from its pair and, while the round has sent fewer than W bytes, writes one byte into the
 * next pair. A round therefore dispatches A + W callbacks with A bytes in flight, and a pair that
 * holds two bytes must fire twice (the events are level-triggered). The measured section is the
 * R rounds: the initial writes plus the event_base_loop(EVLOOP_ONCE) calls that drain them.
 *
 * Usage: pingpong [-n pairs] [-a active] [-w writes] [-r rounds]
 * Output: one line, "pingpong n=.. a=.. w=.. r=.. ops=<callbacks> ns=<measured> ns_per_op=..".
 *
 * Uses only the public API of event2/event.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench.h"

static long n_pairs = 1000, n_active = 100, n_writes = 100, n_rounds = 25;
static int (*pairs)[2];
static long fired, sent, spurious;

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
	long idx = (long)(intptr_t)arg;
	char ch;
	(void)what;

	if (read(fd, &ch, 1) != 1) {
		/* The fd is non-blocking: a callback without a byte to read is a wake-up
		 * the engine should not have delivered. */
		spurious++;
		return;
	}
	fired++;
	if (sent < n_writes) {
		long next = idx + 1 == n_pairs ? 0 : idx + 1;
		if (write(pairs[next][1], "p", 1) != 1) {
			perror("write");
			exit(1);
		}
		sent++;
	}
}

static void raise_fd_limit(long needed)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)needed) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	int opt;
	while ((opt = getopt(argc, argv, "n:a:w:r:")) != -1) {
		char name[2] = { (char)opt, 0 };
		switch (opt) {
		case 'n': n_pairs = bench_parse(name, optarg); break;
		case 'a': n_active = bench_parse(name, optarg); break;
		case 'w': n_writes = bench_parse(name, optarg); break;
		case 'r': n_rounds = bench_parse(name, optarg); break;
		default:
			fprintf(stderr, "usage: %s [-n pairs] [-a active] [-w writes] [-r rounds]\n",
			    argv[0]);
			return 2;
		}
	}
	if (n_pairs < 1 || n_active < 1 || n_active > n_pairs) {
		fprintf(stderr, "need 1 <= active <= pairs\n");
		return 2;
	}

	raise_fd_limit(2 * n_pairs + 64);
	pairs = calloc((size_t)n_pairs, sizeof(*pairs));
	struct event **events = calloc((size_t)n_pairs, sizeof(*events));
	struct event_base *base = event_base_new();
	if (!pairs || !events || !base) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	for (long i = 0; i < n_pairs; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, pairs[i]) < 0) {
			perror("socketpair");
			return 1;
		}
		int fl = fcntl(pairs[i][0], F_GETFL);
		if (fl < 0 || fcntl(pairs[i][0], F_SETFL, fl | O_NONBLOCK) < 0) {
			perror("fcntl");
			return 1;
		}
		events[i] = event_new(base, pairs[i][0], EV_READ | EV_PERSIST, read_cb,
		    (void *)(intptr_t)i);
		if (!events[i] || event_add(events[i], NULL) < 0) {
			fprintf(stderr, "event_new/event_add failed\n");
			return 1;
		}
	}

	long space = n_pairs / n_active;
	long per_round = n_active + n_writes;
	uint64_t t0 = bench_begin();
	for (long r = 0; r < n_rounds; r++) {
		fired = 0;
		sent = 0;
		for (long i = 0; i < n_active; i++) {
			if (write(pairs[i * space][1], "p", 1) != 1) {
				perror("write");
				exit(1);
			}
		}
		while (fired < per_round) {
			if (event_base_loop(base, EVLOOP_ONCE) != 0) {
				fprintf(stderr, "event_base_loop stopped early (round %ld, %ld/%ld)\n",
				    r, fired, per_round);
				return 1;
			}
		}
	}
	uint64_t ns = bench_end(t0);

	/* Nothing may be left: every byte was read exactly once, so one more pass fires nothing. */
	long before = fired;
	event_base_loop(base, EVLOOP_NONBLOCK);
	if (fired != before) {
		fprintf(stderr, "error: %ld callbacks after the last round\n", fired - before);
		return 1;
	}
	if (spurious)
		fprintf(stderr, "warning: %ld callbacks found nothing to read\n", spurious);

	char params[160];
	snprintf(params, sizeof(params), "n=%ld a=%ld w=%ld r=%ld spurious=%ld", n_pairs, n_active,
	    n_writes, n_rounds, spurious);
	bench_report("pingpong", params, (unsigned long long)(n_rounds * per_round), ns);

	for (long i = 0; i < n_pairs; i++) {
		event_free(events[i]);
		close(pairs[i][0]);
		close(pairs[i][1]);
	}
	event_base_free(base);
	free(events);
	free(pairs);
	return 0;
}
