/* Tiny assertion helpers shared by the differential C tests (no libevent internals here). */
#ifndef RSEVENT_TEST_CHECK_H
#define RSEVENT_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fflush(stdout);                                          \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,   \
			    __LINE__, #cond);                                    \
			exit(1);                                                 \
		}                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                           \
	do {                                                                     \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);  \
		if (check_a_ != check_b_) {                                      \
			fflush(stdout);                                          \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s "      \
			    "(%lld != %lld)\n", __FILE__, __LINE__, #a, #b,      \
			    check_a_, check_b_);                                 \
			exit(1);                                                 \
		}                                                                \
	} while (0)

/* Print one line of observed behaviour; both runs must print identical lines. */
#define SAY(...)                                                                 \
	do {                                                                     \
		printf(__VA_ARGS__);                                             \
		printf("\n");                                                    \
	} while (0)

#endif
