/* Rate-limit bookkeeping of bufferevents and groups that does not depend on timing: refused
 * settings, the budgets right after configuration (ticks of one minute, so no refill happens
 * while the test runs), decrements, get_max_to_read/write, the group share and minimum share,
 * group settings changes, membership. */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static void show(const char *what, struct bufferevent *bev)
{
	SAY("%s: read_limit %lld write_limit %lld max_to_read %lld max_to_write %lld", what,
	    (long long)bufferevent_get_read_limit(bev), (long long)bufferevent_get_write_limit(bev),
	    (long long)bufferevent_get_max_to_read(bev), (long long)bufferevent_get_max_to_write(bev));
}

static void show_group(const char *what, struct bufferevent_rate_limit_group *g)
{
	ev_uint64_t r = 99, w = 99;
	bufferevent_rate_limit_group_get_totals(g, &r, &w);
	SAY("%s: group read_limit %lld write_limit %lld totals %llu %llu", what,
	    (long long)bufferevent_rate_limit_group_get_read_limit(g),
	    (long long)bufferevent_rate_limit_group_get_write_limit(g),
	    (unsigned long long)r, (unsigned long long)w);
}

int main(void)
{
	struct timeval minute = { 60, 0 };
	struct event_base *base = event_base_new();
	struct ev_token_bucket_cfg *cfg, *small, *big, *gcfg, *gcfg2;
	struct bufferevent_rate_limit_group *g;
	struct bufferevent *bev, *bev2;
	int sv[2];

	CHECK(base);
	/* Refused settings. */
	SAY("rate 0: %d", ev_token_bucket_cfg_new(0, 10, 1, 10, &minute) == NULL);
	SAY("write rate 0: %d", ev_token_bucket_cfg_new(1, 10, 0, 10, &minute) == NULL);
	SAY("rate > burst: %d", ev_token_bucket_cfg_new(11, 10, 1, 10, &minute) == NULL);
	SAY("write rate > burst: %d", ev_token_bucket_cfg_new(1, 10, 11, 10, &minute) == NULL);
	SAY("burst > max: %d", ev_token_bucket_cfg_new(1, (size_t)EV_RATE_LIMIT_MAX + 1, 1, 10, &minute) == NULL);
	cfg = ev_token_bucket_cfg_new(1, 1, 1, 1, NULL);
	SAY("null tick accepted: %d", cfg != NULL);
	ev_token_bucket_cfg_free(cfg);

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	bev2 = bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE);
	CHECK(bev && bev2);
	SAY("no cfg: %d", bufferevent_get_token_bucket_cfg(bev) == NULL);
	SAY("unlimited is EV_SSIZE_MAX: %d", bufferevent_get_read_limit(bev) == EV_SSIZE_MAX);
	show("unlimited max", bev);
	bufferevent_set_max_single_read(bev, 3000);
	SAY("max_to_read after set_max_single_read: %lld", (long long)bufferevent_get_max_to_read(bev));

	cfg = ev_token_bucket_cfg_new(1000, 5000, 2000, 8000, &minute);
	CHECK(cfg);
	CHECK_EQ(bufferevent_set_rate_limit(bev, cfg), 0);
	SAY("cfg returned: %d", bufferevent_get_token_bucket_cfg(bev) == cfg);
	show("after set", bev);
	CHECK_EQ(bufferevent_set_rate_limit(bev, cfg), 0);
	show("same cfg again", bev);

	CHECK_EQ(bufferevent_decrement_read_limit(bev, 300), 0);
	CHECK_EQ(bufferevent_decrement_write_limit(bev, 500), 0);
	show("after decrement 300/500", bev);
	CHECK_EQ(bufferevent_decrement_read_limit(bev, -50), 0);
	CHECK_EQ(bufferevent_decrement_write_limit(bev, -10000), 0);
	show("after giving back 50/10000", bev);
	CHECK_EQ(bufferevent_decrement_read_limit(bev, 2000), 0);
	show("read overdrawn", bev);
	CHECK_EQ(bufferevent_decrement_read_limit(bev, -1300), 0);
	show("read back to 50", bev);

	big = ev_token_bucket_cfg_new(20000, 40000, 30000, 60000, &minute);
	CHECK(big);
	CHECK_EQ(bufferevent_set_rate_limit(bev, big), 0);
	show("new cfg (in use: clipped only)", bev);
	small = ev_token_bucket_cfg_new(10, 20, 10, 100, &minute);
	CHECK(small);
	CHECK_EQ(bufferevent_set_rate_limit(bev, small), 0);
	show("smaller cfg", bev);
	CHECK_EQ(bufferevent_set_rate_limit(bev, NULL), 0);
	SAY("cfg after removal null: %d", bufferevent_get_token_bucket_cfg(bev) == NULL);
	SAY("unlimited again: %d", bufferevent_get_read_limit(bev) == EV_SSIZE_MAX);
	show("removed", bev);
	CHECK_EQ(bufferevent_set_rate_limit(bev, NULL), 0);
	CHECK_EQ(bufferevent_set_rate_limit(bev2, big), 0);
	show("fresh with big cfg", bev2);
	CHECK_EQ(bufferevent_set_rate_limit(bev2, NULL), 0);

	/* Groups. */
	gcfg = ev_token_bucket_cfg_new(500, 1000, 700, 900, &minute);
	CHECK(gcfg);
	g = bufferevent_rate_limit_group_new(base, gcfg);
	CHECK(g);
	show_group("new group", g);
	CHECK_EQ(bufferevent_rate_limit_group_decrement_read(g, 200), 0);
	CHECK_EQ(bufferevent_rate_limit_group_decrement_write(g, -100), 0);
	show_group("after decrements", g);
	CHECK_EQ(bufferevent_add_to_rate_limit_group(bev, g), 0);
	show("member alone", bev);
	CHECK_EQ(bufferevent_add_to_rate_limit_group(bev, g), 0);
	CHECK_EQ(bufferevent_add_to_rate_limit_group(bev2, g), 0);
	show("one of two", bev);
	CHECK_EQ(bufferevent_rate_limit_group_set_min_share(g, 200), 0);
	show("min share 200", bev);
	CHECK_EQ(bufferevent_rate_limit_group_set_min_share(g, 100000), 0);
	show("min share 100000 (capped)", bev);
	CHECK_EQ(bufferevent_rate_limit_group_set_min_share(g, 0), 0);
	show("min share 0", bev);
	SAY("min share > EV_SSIZE_MAX: %d", bufferevent_rate_limit_group_set_min_share(g, (size_t)EV_SSIZE_MAX + 1));
	CHECK_EQ(bufferevent_set_rate_limit(bev, cfg), 0);
	show("own limit and group", bev);
	CHECK_EQ(bufferevent_rate_limit_group_decrement_read(g, 1000), 0);
	show_group("group overdrawn", g);
	show("member of overdrawn group", bev);
	CHECK_EQ(bufferevent_rate_limit_group_decrement_read(g, -1000), 0);
	show("group refilled by hand", bev);
	gcfg2 = ev_token_bucket_cfg_new(50, 60, 70, 80, &minute);
	CHECK(gcfg2);
	CHECK_EQ(bufferevent_rate_limit_group_set_cfg(g, gcfg2), 0);
	show_group("group with smaller cfg", g);
	show("member", bev2);
	CHECK_EQ(bufferevent_remove_from_rate_limit_group(bev2), 0);
	show("removed from group", bev2);
	CHECK_EQ(bufferevent_remove_from_rate_limit_group(bev2), 0);
	bufferevent_rate_limit_group_reset_totals(g);
	show_group("reset", g);

	/* A freed member leaves its group by itself. */
	bufferevent_free(bev);
	bufferevent_free(bev2);
	event_base_loop(base, EVLOOP_NONBLOCK);
	bufferevent_rate_limit_group_free(g);
	ev_token_bucket_cfg_free(cfg);
	ev_token_bucket_cfg_free(big);
	ev_token_bucket_cfg_free(small);
	ev_token_bucket_cfg_free(gcfg);
	ev_token_bucket_cfg_free(gcfg2);
	event_base_free(base);
	SAY("done");
	return 0;
}
