/* Small util.h pieces: the timer macros (evutil_timeradd/sub with carry and borrow,
 * timercmp with every operator, timerclear/timerisset), evutil_gettimeofday, the monotonic timer
 * API, evutil_date_rfc1123 (fixed date, truncation, current time), the secure RNG (calls succeed
 * and fill bytes; nothing random is printed), the integer limit macros, type sizes and
 * evutil_offsetof. */
#include <event2/util.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "check.h"

struct sample {
	char a;
	double b;
	int c;
};

int main(void)
{
	struct timeval a = { 5, 700000 }, b = { 2, 400000 }, r;
	struct timeval t1, t2;
	int ret;

	evutil_timeradd(&a, &b, &r);
	SAY("timeradd 5.700000 + 2.400000 = %ld.%06ld", (long)r.tv_sec, (long)r.tv_usec);
	evutil_timersub(&a, &b, &r);
	SAY("timersub 5.700000 - 2.400000 = %ld.%06ld", (long)r.tv_sec, (long)r.tv_usec);
	evutil_timersub(&b, &a, &r);
	SAY("timersub 2.400000 - 5.700000 = %ld.%06ld", (long)r.tv_sec, (long)r.tv_usec);
	a.tv_sec = 1; a.tv_usec = 999999;
	b.tv_sec = 0; b.tv_usec = 1;
	evutil_timeradd(&a, &b, &r);
	SAY("timeradd 1.999999 + 0.000001 = %ld.%06ld", (long)r.tv_sec, (long)r.tv_usec);
	evutil_timersub(&r, &b, &r);
	SAY("timersub in place = %ld.%06ld", (long)r.tv_sec, (long)r.tv_usec);
	b.tv_sec = 1; b.tv_usec = 999999;
	SAY("cmp equal: < %d <= %d == %d != %d >= %d > %d", evutil_timercmp(&a, &b, <), evutil_timercmp(&a, &b, <=),
	    evutil_timercmp(&a, &b, ==), evutil_timercmp(&a, &b, !=), evutil_timercmp(&a, &b, >=),
	    evutil_timercmp(&a, &b, >));
	b.tv_usec = 999998;
	SAY("cmp usec greater: < %d <= %d == %d != %d >= %d > %d", evutil_timercmp(&a, &b, <),
	    evutil_timercmp(&a, &b, <=), evutil_timercmp(&a, &b, ==), evutil_timercmp(&a, &b, !=),
	    evutil_timercmp(&a, &b, >=), evutil_timercmp(&a, &b, >));
	b.tv_sec = 2; b.tv_usec = 0;
	SAY("cmp sec less: < %d <= %d == %d != %d >= %d > %d", evutil_timercmp(&a, &b, <),
	    evutil_timercmp(&a, &b, <=), evutil_timercmp(&a, &b, ==), evutil_timercmp(&a, &b, !=),
	    evutil_timercmp(&a, &b, >=), evutil_timercmp(&a, &b, >));
	SAY("isset %d", evutil_timerisset(&a));
	evutil_timerclear(&a);
	SAY("after clear: %ld.%06ld isset %d", (long)a.tv_sec, (long)a.tv_usec, evutil_timerisset(&a));
	a.tv_usec = 1;
	SAY("usec only isset %d", evutil_timerisset(&a) != 0);

	ret = evutil_gettimeofday(&t1, NULL);
	SAY("gettimeofday -> %d close to time()=%d", ret, (long)t1.tv_sec - (long)time(NULL) <= 1 &&
	    (long)time(NULL) - (long)t1.tv_sec <= 1);

	/* monotonic timers */
	{
		static const int flags[] = { 0, EV_MONOT_PRECISE, EV_MONOT_FALLBACK, EV_MONOT_PRECISE | EV_MONOT_FALLBACK };
		int i, k;
		for (i = 0; i < 4; i++) {
			struct evutil_monotonic_timer *m = evutil_monotonic_timer_new();
			int ok = 1;
			CHECK(m);
			ret = evutil_configure_monotonic_time(m, flags[i]);
			CHECK_EQ(evutil_gettime_monotonic(m, &t1), 0);
			for (k = 0; k < 1000; k++) {
				CHECK_EQ(evutil_gettime_monotonic(m, &t2), 0);
				if (evutil_timercmp(&t2, &t1, <) || t2.tv_usec < 0 || t2.tv_usec >= 1000000)
					ok = 0;
				t1 = t2;
			}
			SAY("monotonic flags=%d configure -> %d never backwards=%d", flags[i], ret, ok);
			evutil_monotonic_timer_free(m);
		}
	}

	/* RFC 1123 dates */
	{
		char d[64];
		struct tm tm;
		time_t when = 784111777; /* 1994-11-06 08:49:37 UTC, a Sunday */
		CHECK(gmtime_r(&when, &tm));
		memset(d, 'Z', sizeof(d));
		ret = evutil_date_rfc1123(d, sizeof(d), &tm);
		SAY("date_rfc1123 -> %d \"%s\"", ret, d);
		when = 951782400; /* 2000-02-29 00:00:00 */
		CHECK(gmtime_r(&when, &tm));
		ret = evutil_date_rfc1123(d, sizeof(d), &tm);
		SAY("date_rfc1123 -> %d \"%s\"", ret, d);
		when = 4102444799; /* 2099-12-31 23:59:59 */
		CHECK(gmtime_r(&when, &tm));
		ret = evutil_date_rfc1123(d, sizeof(d), &tm);
		SAY("date_rfc1123 -> %d \"%s\"", ret, d);
		memset(d, 'Z', sizeof(d));
		ret = evutil_date_rfc1123(d, 10, &tm);
		SAY("date_rfc1123 into 10 -> %d \"%s\" next byte '%c'", ret, d, d[10]);
		ret = evutil_date_rfc1123(d, 30, &tm);
		SAY("date_rfc1123 into 30 -> %d \"%s\"", ret, d);
		ret = evutil_date_rfc1123(d, 29, &tm);
		SAY("date_rfc1123 into 29 -> %d \"%s\"", ret, d);
		ret = evutil_date_rfc1123(d, sizeof(d), NULL);
		SAY("date_rfc1123 now -> %d ends GMT=%d comma=%d", ret, strcmp(d + 26, "GMT") == 0, d[3] == ',');
	}

	/* secure RNG */
	{
		unsigned char buf1[64], buf2[64], zero[64];
		size_t i;
		int same = 1, nonzero = 0;
		ret = evutil_secure_rng_set_urandom_device_file("/dev/urandom");
		SAY("set_urandom_device_file -> %d", ret);
		ret = evutil_secure_rng_init();
		SAY("rng_init -> %d", ret);
		ret = evutil_secure_rng_init();
		SAY("rng_init again -> %d", ret);
		evutil_secure_rng_add_bytes("some extra entropy bytes", 24);
		evutil_secure_rng_add_bytes("", 0);
		memset(buf1, 0, sizeof(buf1));
		memset(buf2, 0, sizeof(buf2));
		memset(zero, 0, sizeof(zero));
		evutil_secure_rng_get_bytes(buf1, sizeof(buf1));
		evutil_secure_rng_get_bytes(buf2, sizeof(buf2));
		evutil_secure_rng_get_bytes(buf2, 0);
		for (i = 0; i < sizeof(buf1); i++) {
			if (buf1[i] != buf2[i])
				same = 0;
			if (buf1[i])
				nonzero = 1;
		}
		SAY("rng: two draws differ=%d nonzero=%d", !same, nonzero);
		{
			unsigned char *big = malloc(100000);
			size_t counts[256] = { 0 }, maxc = 0;
			CHECK(big);
			evutil_secure_rng_get_bytes(big, 100000);
			for (i = 0; i < 100000; i++)
				counts[big[i]]++;
			for (i = 0; i < 256; i++)
				if (counts[i] > maxc)
					maxc = counts[i];
			SAY("rng 100000 bytes: no byte value above 1%% = %d", maxc < 1000);
			free(big);
		}
	}

	SAY("limits: %llu %lld %lld %u %d %d %u %d %d %u %d %d", (unsigned long long)EV_UINT64_MAX,
	    (long long)EV_INT64_MAX, (long long)EV_INT64_MIN, (unsigned)EV_UINT32_MAX, (int)EV_INT32_MAX,
	    (int)EV_INT32_MIN, (unsigned)EV_UINT16_MAX, (int)EV_INT16_MAX, (int)EV_INT16_MIN,
	    (unsigned)EV_UINT8_MAX, (int)EV_INT8_MAX, (int)EV_INT8_MIN);
	SAY("size limits: %llu %lld %lld", (unsigned long long)EV_SIZE_MAX, (long long)EV_SSIZE_MAX,
	    (long long)EV_SSIZE_MIN);
	SAY("sizes: u64 %zu i64 %zu u32 %zu u16 %zu u8 %zu uintptr %zu ssize %zu off %zu socklen %zu",
	    sizeof(ev_uint64_t), sizeof(ev_int64_t), sizeof(ev_uint32_t), sizeof(ev_uint16_t),
	    sizeof(ev_uint8_t), sizeof(ev_uintptr_t), sizeof(ev_ssize_t), sizeof(ev_off_t), sizeof(ev_socklen_t));
	SAY("offsetof b=%d c=%d", (int)evutil_offsetof(struct sample, b), (int)evutil_offsetof(struct sample, c));
	SAY("done");
	return 0;
}
