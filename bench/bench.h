/* Shared helpers for the rsevent benchmarks: a monotonic clock, a small deterministic PRNG and the
 * callgrind client requests that bracket the measured section.
 *
 * Under callgrind, run.sh passes --instr-atstart=no, so only the code between bench_begin() and
 * bench_end() is counted: process start-up, base creation and fixture set-up are left out. Outside
 * valgrind the client requests are a handful of no-op instructions. */
#ifndef RSEVENT_BENCH_H
#define RSEVENT_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_HAVE_CALLGRIND 1
#endif
#endif
#ifndef BENCH_HAVE_CALLGRIND
#define CALLGRIND_START_INSTRUMENTATION do { } while (0)
#define CALLGRIND_STOP_INSTRUMENTATION do { } while (0)
#endif

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time (user + system) used by the process: less disturbed than wall time when other
 * programs compete for the CPUs. */
static inline uint64_t bench_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t bench_cpu_start, bench_cpu_used;

/* Start of the measured section: returns the start time. */
static inline uint64_t bench_begin(void)
{
	CALLGRIND_START_INSTRUMENTATION;
	bench_cpu_start = bench_cpu_ns();
	return bench_now_ns();
}

/* End of the measured section: returns the elapsed (wall) nanoseconds since `start`. */
static inline uint64_t bench_end(uint64_t start)
{
	uint64_t end = bench_now_ns();
	bench_cpu_used = bench_cpu_ns() - bench_cpu_start;
	CALLGRIND_STOP_INSTRUMENTATION;
	return end - start;
}

/* xorshift64*: fixed seed, so every run does the same work. */
static inline uint64_t bench_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Parses a non-negative integer option value or exits with a message. */
static inline long bench_parse(const char *opt, const char *value)
{
	char *end = NULL;
	long v = strtol(value, &end, 10);
	if (!value[0] || *end || v < 0) {
		fprintf(stderr, "bad value for -%s: %s\n", opt, value);
		exit(2);
	}
	return v;
}

/* The one result line run.sh parses. */
static inline void bench_report(const char *name, const char *params, unsigned long long ops,
    uint64_t ns)
{
	printf("%s %s ops=%llu ns=%llu cpu_ns=%llu ns_per_op=%.2f\n", name, params, ops,
	    (unsigned long long)ns, (unsigned long long)bench_cpu_used,
	    ops ? (double)ns / (double)ops : 0.0);
	fflush(stdout);
}

#endif
