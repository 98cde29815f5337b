/* bev_ratelim_transfer with locking bufferevents (BEV_OPT_THREADSAFE, pthreads locks): the group
 * code try-locks members while holding its own lock; the results must not change. */
// LIBS: -levent_core -levent_pthreads
/* Rate-limited transfers over socketpairs. A writer limited to 4000 bytes per 50 ms tick sends
 * 40000 bytes: that cannot take less than 8 ticks (one burst up front, then one tick's refill
 * per tick), so at least 7 ticks are asserted. Two readers sharing a group limit of 2000 bytes
 * per tick read 10000 bytes each: at least 6 ticks; the group's totals then count exactly the
 * bytes read, reset to zero, and stay there for a member taken out of the group. Only booleans
 * and byte counts are printed. */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <event2/thread.h>
#include "check.h"

#define TICK_MS 50

static struct event_base *base;
static size_t got[3], want[3];

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void on_read(struct bufferevent *bev, void *arg)
{
	int i = (int)(long)arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	got[i] += evbuffer_get_length(in);
	evbuffer_drain(in, evbuffer_get_length(in));
	if (got[0] >= want[0] && got[1] >= want[1] && got[2] >= want[2])
		event_base_loopbreak(base);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev; (void)arg;
	SAY("unexpected event 0x%x", what);
	exit(1);
}

static void fill(struct bufferevent *bev, size_t n)
{
	char buf[1000];
	memset(buf, 'r', sizeof(buf));
	while (n) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);
		CHECK_EQ(bufferevent_write(bev, buf, k), 0);
		n -= k;
	}
}

static void run(void)
{
	struct timeval limit = { 20, 0 };
	/* A safety net only: every phase ends with loopbreak when the bytes are in. */
	CHECK_EQ(event_base_loopexit(base, &limit), 0);
	CHECK_EQ(event_base_dispatch(base), 0);
	CHECK(got[0] >= want[0] && got[1] >= want[1] && got[2] >= want[2]);
}

int main(void)
{
	struct timeval tick = { 0, TICK_MS * 1000 };
	struct ev_token_bucket_cfg *wcfg, *gcfg;
	struct bufferevent_rate_limit_group *g;
	struct bufferevent *w[3], *r[3];
	ev_uint64_t tr = 99, tw = 99;
	double t0, ticks;
	int i, sv[2];

	CHECK_EQ(evthread_use_pthreads(), 0);
	base = event_base_new();
	CHECK(base);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		w[i] = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE|BEV_OPT_THREADSAFE);
		r[i] = bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE|BEV_OPT_THREADSAFE);
		CHECK(w[i] && r[i]);
		bufferevent_setcb(r[i], on_read, NULL, on_event, (void *)(long)i);
		bufferevent_setcb(w[i], NULL, NULL, on_event, NULL);
		CHECK_EQ(bufferevent_enable(r[i], EV_READ), 0);
	}

	/* 1. The writer's own limit. */
	wcfg = ev_token_bucket_cfg_new(1000000, 1000000, 4000, 4000, &tick);
	CHECK(wcfg);
	CHECK_EQ(bufferevent_set_rate_limit(w[0], wcfg), 0);
	want[0] = 40000;
	t0 = now_ms();
	fill(w[0], want[0]);
	run();
	ticks = (now_ms() - t0) / TICK_MS;
	SAY("writer: received %zu", got[0]);
	SAY("writer: at least 7 ticks: %d", ticks >= 7.0);
	SAY("writer: budget left within one tick: %d", bufferevent_get_write_limit(w[0]) <= 4000);

	/* 2. Two readers sharing a group's read limit. */
	gcfg = ev_token_bucket_cfg_new(2000, 2000, 1000000, 1000000, &tick);
	CHECK(gcfg);
	g = bufferevent_rate_limit_group_new(base, gcfg);
	CHECK(g);
	CHECK_EQ(bufferevent_add_to_rate_limit_group(r[1], g), 0);
	CHECK_EQ(bufferevent_add_to_rate_limit_group(r[2], g), 0);
	got[0] = want[0] = 0;
	want[1] = want[2] = 10000;
	t0 = now_ms();
	fill(w[1], want[1]);
	fill(w[2], want[2]);
	run();
	ticks = (now_ms() - t0) / TICK_MS;
	SAY("group: received %zu and %zu", got[1], got[2]);
	SAY("group: at least 6 ticks: %d", ticks >= 6.0);
	bufferevent_rate_limit_group_get_totals(g, &tr, &tw);
	SAY("group totals: read %llu written %llu", (unsigned long long)tr, (unsigned long long)tw);
	SAY("group read budget at most one tick: %d", bufferevent_rate_limit_group_get_read_limit(g) <= 2000);
	bufferevent_rate_limit_group_reset_totals(g);
	bufferevent_rate_limit_group_get_totals(g, &tr, &tw);
	SAY("after reset: read %llu written %llu", (unsigned long long)tr, (unsigned long long)tw);

	/* 3. A reader taken out of the group no longer counts. */
	CHECK_EQ(bufferevent_remove_from_rate_limit_group(r[1]), 0);
	want[1] = got[1] + 3000;
	fill(w[1], 3000);
	run();
	bufferevent_rate_limit_group_get_totals(g, &tr, &tw);
	SAY("removed member read %zu; group totals read %llu written %llu", got[1],
	    (unsigned long long)tr, (unsigned long long)tw);

	/* 4. The remaining member still counts. */
	want[2] = got[2] + 500;
	fill(w[2], 500);
	run();
	bufferevent_rate_limit_group_get_totals(g, &tr, NULL);
	SAY("remaining member: group totals read %llu", (unsigned long long)tr);

	for (i = 0; i < 3; i++) {
		bufferevent_free(w[i]);
		bufferevent_free(r[i]);
	}
	event_base_loop(base, EVLOOP_NONBLOCK);
	bufferevent_rate_limit_group_free(g);
	ev_token_bucket_cfg_free(wcfg);
	ev_token_bucket_cfg_free(gcfg);
	event_base_free(base);
	SAY("done");
	return 0;
}
