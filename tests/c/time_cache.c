/* The time cache: event_base_gettimeofday_cached outside and inside callbacks, stability across
 * the callbacks of one iteration, event_base_update_cache_time, EVENT_BASE_FLAG_NO_CACHE_TIME. */
#include <event2/event.h>
#include <sys/time.h>
#include "check.h"

static struct timeval seen[4];
static int nseen;

static long long us(const struct timeval *t) { return (long long)t->tv_sec * 1000000 + t->tv_usec; }

static void spin_ms(int ms)
{
	struct timeval a, b;
	gettimeofday(&a, NULL);
	do
		gettimeofday(&b, NULL);
	while (us(&b) - us(&a) < ms * 1000);
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
	struct event_base *base = arg;
	struct timeval now;
	(void)fd; (void)what;
	CHECK(event_base_gettimeofday_cached(base, &seen[nseen]) == 0);
	gettimeofday(&now, NULL);
	CHECK(us(&now) - us(&seen[nseen]) < 2000000 && us(&seen[nseen]) - us(&now) < 2000000);
	nseen++;
	spin_ms(30);
}

static void update_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event_base *base = arg;
	struct timeval a, b;
	(void)fd; (void)what;
	event_base_gettimeofday_cached(base, &a);
	spin_ms(30);
	event_base_gettimeofday_cached(base, &b);
	SAY(" inside cb, cache stable over 30ms: %d", us(&a) == us(&b));
	SAY(" update_cache_time -> %d", event_base_update_cache_time(base));
	event_base_gettimeofday_cached(base, &b);
	SAY(" after update advanced >= 15ms: %d", us(&b) - us(&a) >= 15000);
}

static void run_two(struct event_base *base, const char *label)
{
	struct event *e1 = event_new(base, -1, 0, cb, base);
	struct event *e2 = event_new(base, -1, 0, cb, base);
	nseen = 0;
	event_active(e1, 0, 0);
	event_active(e2, 0, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK_EQ(nseen, 2);
	SAY("%s: same cached time for two callbacks of one iteration: %d", label, us(&seen[0]) == us(&seen[1]));
	event_free(e1);
	event_free(e2);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct event_config *cfg;
	struct event *u;
	struct timeval a, b, now;
	CHECK(base);

	/* outside the loop there is no cache: the real time comes back */
	CHECK(event_base_gettimeofday_cached(base, &a) == 0);
	spin_ms(30);
	CHECK(event_base_gettimeofday_cached(base, &b) == 0);
	gettimeofday(&now, NULL);
	SAY("outside loop advances: %d", us(&b) - us(&a) >= 15000);
	SAY("outside loop close to now: %d", us(&now) - us(&b) < 1000000);
	SAY("update_cache_time outside loop -> %d", event_base_update_cache_time(base));
	SAY("gettimeofday_cached(NULL base) -> %d", event_base_gettimeofday_cached(NULL, &a));

	run_two(base, "default");
	u = event_new(base, -1, 0, update_cb, base);
	event_active(u, 0, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_free(u);
	event_base_free(base);

	cfg = event_config_new();
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NO_CACHE_TIME);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	CHECK(base);
	run_two(base, "NO_CACHE_TIME");
	event_base_free(base);
	SAY("done");
	return 0;
}
