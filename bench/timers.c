/* timers: cost of timer operations on a base holding N pending timers.
 *
 * Set-up (not timed): N timers, each added (from a callback) with a pseudo-random timeout between
 * 10 and 20 seconds, so none fires during the run.
 *
 * -m readd (default): the measured section runs K loop iterations; in each, one active callback
 *   re-adds N timers picked pseudo-randomly among the N pending ones, each with a new pseudo-random
 *   timeout (so the timer queue must move it). Operations: K * N re-adds. The re-adds happen inside
 *   a callback, where programs usually re-arm their timeouts.
 * -m zero: B timers are added with a zero timeout; each one, when it fires, adds itself again with
 *   a zero timeout until M have been added in total; the loop runs until M have fired. Operations:
 *   M (one add plus one fire each).
 *
 * Usage: timers [-m readd|zero] [-n pending] [-k readd passes] [-z zero timers] [-b zero batch]
 * Output: one line, "timers mode=.. n=.. ... ops=<operations> ns=<measured> ns_per_op=..".
 *
 * Deterministic (fixed PRNG seed); uses only the public API of event2/event.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "bench.h"

static long n_pending = 10000, n_passes = 10, n_zero = 100000, n_batch = 100;
static struct event **pending;
static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static long long_fired, zero_added, zero_fired, readds;
static const struct timeval zero_tv = { 0, 0 };

static void random_timeout(struct timeval *tv)
{
	uint64_t us = bench_rand(&rng) % 10000000u;
	tv->tv_sec = 10 + (long)(us / 1000000u);
	tv->tv_usec = (long)(us % 1000000u);
}

static void long_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	long_fired++;
}

static void setup_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	for (long i = 0; i < n_pending; i++) {
		struct timeval tv;
		random_timeout(&tv);
		if (evtimer_add(pending[i], &tv) < 0) {
			fprintf(stderr, "evtimer_add failed\n");
			exit(1);
		}
	}
}

/* One pass of re-adds, run from inside the loop. */
static void readd_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	for (long i = 0; i < n_pending; i++) {
		struct timeval tv;
		long idx = (long)(bench_rand(&rng) % (uint64_t)n_pending);
		random_timeout(&tv);
		if (event_add(pending[idx], &tv) < 0) {
			fprintf(stderr, "event_add failed\n");
			exit(1);
		}
	}
	readds += n_pending;
}

static void zero_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = arg;
	(void)fd;
	if (!(what & EV_TIMEOUT)) {
		fprintf(stderr, "zero timer fired without EV_TIMEOUT\n");
		exit(1);
	}
	zero_fired++;
	if (zero_added < n_zero) {
		zero_added++;
		if (evtimer_add(self, &zero_tv) < 0) {
			fprintf(stderr, "evtimer_add failed\n");
			exit(1);
		}
	}
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-m readd|zero] [-n pending] [-k passes] [-z zero timers] "
	    "[-b zero batch]\n", argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode = "readd";
	int opt;
	while ((opt = getopt(argc, argv, "m:n:k:z:b:")) != -1) {
		char name[2] = { (char)opt, 0 };
		switch (opt) {
		case 'm': mode = optarg; break;
		case 'n': n_pending = bench_parse(name, optarg); break;
		case 'k': n_passes = bench_parse(name, optarg); break;
		case 'z': n_zero = bench_parse(name, optarg); break;
		case 'b': n_batch = bench_parse(name, optarg); break;
		default: usage(argv[0]);
		}
	}
	int readd_mode = !strcmp(mode, "readd");
	if (!readd_mode && strcmp(mode, "zero"))
		usage(argv[0]);
	if (readd_mode && n_pending < 1) {
		fprintf(stderr, "readd needs at least one pending timer\n");
		return 2;
	}
	if (!readd_mode && n_batch < 1)
		usage(argv[0]);

	struct event_base *base = event_base_new();
	pending = calloc((size_t)n_pending + 1, sizeof(*pending));
	if (!base || !pending) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	for (long i = 0; i < n_pending; i++) {
		pending[i] = evtimer_new(base, long_cb, NULL);
		if (!pending[i]) {
			fprintf(stderr, "evtimer_new failed\n");
			return 1;
		}
	}
	/* Added from a callback, where every add sees the same cached time: the timer queue then
	 * holds the same deadlines, relative to each other, on every run. */
	struct event *setup = event_new(base, -1, 0, setup_cb, NULL);
	if (!setup) {
		fprintf(stderr, "event_new failed\n");
		return 1;
	}
	event_active(setup, EV_TIMEOUT, 1);
	if (event_base_loop(base, EVLOOP_ONCE) != 0) {
		fprintf(stderr, "event_base_loop failed\n");
		return 1;
	}
	event_free(setup);

	char params[160];
	unsigned long long ops;
	uint64_t ns;
	if (readd_mode) {
		struct event *driver = event_new(base, -1, 0, readd_cb, NULL);
		if (!driver) {
			fprintf(stderr, "event_new failed\n");
			return 1;
		}
		uint64_t t0 = bench_begin();
		for (long k = 0; k < n_passes; k++) {
			event_active(driver, EV_TIMEOUT, 1);
			if (event_base_loop(base, EVLOOP_ONCE) != 0) {
				fprintf(stderr, "event_base_loop failed\n");
				return 1;
			}
		}
		ns = bench_end(t0);
		if (readds != n_passes * n_pending) {
			fprintf(stderr, "error: %ld re-adds, expected %ld\n", readds,
			    n_passes * n_pending);
			return 1;
		}
		event_free(driver);
		ops = (unsigned long long)readds;
		snprintf(params, sizeof(params), "mode=readd n=%ld k=%ld", n_pending, n_passes);
	} else {
		long batch = n_batch < n_zero ? n_batch : n_zero;
		struct event **zero = calloc((size_t)batch + 1, sizeof(*zero));
		if (!zero) {
			fprintf(stderr, "setup failed\n");
			return 1;
		}
		for (long i = 0; i < batch; i++) {
			zero[i] = event_new(base, -1, 0, zero_cb, NULL);
			if (!zero[i]) {
				fprintf(stderr, "event_new failed\n");
				return 1;
			}
			event_assign(zero[i], base, -1, 0, zero_cb, zero[i]);
		}
		uint64_t t0 = bench_begin();
		for (long i = 0; i < batch; i++) {
			zero_added++;
			if (evtimer_add(zero[i], &zero_tv) < 0) {
				fprintf(stderr, "evtimer_add failed\n");
				return 1;
			}
		}
		while (zero_fired < n_zero) {
			if (event_base_loop(base, EVLOOP_ONCE) != 0) {
				fprintf(stderr, "event_base_loop stopped early (%ld/%ld fired)\n",
				    zero_fired, n_zero);
				return 1;
			}
		}
		ns = bench_end(t0);
		if (zero_fired != n_zero || zero_added != n_zero) {
			fprintf(stderr, "error: %ld added, %ld fired, expected %ld\n", zero_added,
			    zero_fired, n_zero);
			return 1;
		}
		for (long i = 0; i < batch; i++) {
			if (event_pending(zero[i], EV_TIMEOUT, NULL)) {
				fprintf(stderr, "error: a zero timer is still pending\n");
				return 1;
			}
			event_free(zero[i]);
		}
		free(zero);
		ops = (unsigned long long)n_zero;
		snprintf(params, sizeof(params), "mode=zero n=%ld z=%ld b=%ld", n_pending, n_zero,
		    batch);
	}

	/* The long timers must all still be pending and none may have fired. */
	for (long i = 0; i < n_pending; i++) {
		if (!event_pending(pending[i], EV_TIMEOUT, NULL)) {
			fprintf(stderr, "error: pending timer %ld is no longer pending\n", i);
			return 1;
		}
	}
	if (long_fired) {
		fprintf(stderr, "error: %ld long timers fired\n", long_fired);
		return 1;
	}
	bench_report("timers", params, ops, ns);

	for (long i = 0; i < n_pending; i++)
		event_free(pending[i]);
	free(pending);
	event_base_free(base);
	return 0;
}
