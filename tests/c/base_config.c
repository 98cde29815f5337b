/* Base creation and configuration: event_base_new/free/with_config, get_method, supported methods,
 * features, avoid_method, require_features, EVENT_NOEPOLL env and EVENT_BASE_FLAG_IGNORE_ENV. */
#include <event2/event.h>
#include <string.h>
#include "check.h"

static int has_method(const char **m, const char *name)
{
	for (; *m; m++)
		if (!strcmp(*m, name))
			return 1;
	return 0;
}

int main(void)
{
	struct event_base *base;
	struct event_config *cfg;
	const char **methods = event_get_supported_methods();

	CHECK(methods != NULL);
	SAY("supported has epoll=%d poll=%d", has_method(methods, "epoll"), has_method(methods, "poll"));

	base = event_base_new();
	CHECK(base);
	SAY("default method %s", event_base_get_method(base));
	SAY("epoll features et=%d o1=%d fds=%d early_close=%d",
	    !!(event_base_get_features(base) & EV_FEATURE_ET),
	    !!(event_base_get_features(base) & EV_FEATURE_O1),
	    !!(event_base_get_features(base) & EV_FEATURE_FDS),
	    !!(event_base_get_features(base) & EV_FEATURE_EARLY_CLOSE));
	event_base_free(base);

	/* NULL config behaves as event_base_new */
	base = event_base_new_with_config(NULL);
	CHECK(base);
	SAY("with_config(NULL) method %s", event_base_get_method(base));
	event_base_free(base);

	/* empty config */
	cfg = event_config_new();
	CHECK(cfg);
	base = event_base_new_with_config(cfg);
	CHECK(base);
	SAY("empty config method %s", event_base_get_method(base));
	event_base_free(base);
	event_config_free(cfg);

	/* avoid epoll */
	cfg = event_config_new();
	SAY("avoid_method ret %d", event_config_avoid_method(cfg, "epoll"));
	base = event_base_new_with_config(cfg);
	CHECK(base);
	SAY("avoid epoll -> %s", event_base_get_method(base));
	SAY("poll features et=%d o1=%d fds=%d",
	    !!(event_base_get_features(base) & EV_FEATURE_ET),
	    !!(event_base_get_features(base) & EV_FEATURE_O1),
	    !!(event_base_get_features(base) & EV_FEATURE_FDS));
	event_base_free(base);
	event_config_free(cfg);

	/* require FDS -> poll */
	cfg = event_config_new();
	SAY("require_features ret %d", event_config_require_features(cfg, EV_FEATURE_FDS));
	base = event_base_new_with_config(cfg);
	CHECK(base);
	SAY("require FDS -> %s", event_base_get_method(base));
	event_base_free(base);
	event_config_free(cfg);

	/* require ET|FDS -> nothing satisfies it */
	cfg = event_config_new();
	event_config_require_features(cfg, EV_FEATURE_ET | EV_FEATURE_FDS);
	base = event_base_new_with_config(cfg);
	SAY("require ET|FDS -> %s", base ? "base" : "NULL");
	CHECK(base == NULL);
	event_config_free(cfg);

	/* require ET -> epoll */
	cfg = event_config_new();
	event_config_require_features(cfg, EV_FEATURE_ET);
	base = event_base_new_with_config(cfg);
	CHECK(base);
	SAY("require ET -> %s", event_base_get_method(base));
	event_base_free(base);
	event_config_free(cfg);

	/* EVENT_NOEPOLL in the environment */
	setenv("EVENT_NOEPOLL", "1", 1);
	base = event_base_new();
	CHECK(base);
	SAY("EVENT_NOEPOLL -> %s", event_base_get_method(base));
	event_base_free(base);

	/* ... ignored with EVENT_BASE_FLAG_IGNORE_ENV */
	cfg = event_config_new();
	SAY("set_flag ret %d", event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV));
	base = event_base_new_with_config(cfg);
	CHECK(base);
	SAY("EVENT_NOEPOLL + IGNORE_ENV -> %s", event_base_get_method(base));
	event_base_free(base);
	event_config_free(cfg);
	unsetenv("EVENT_NOEPOLL");

	/* other config knobs */
	cfg = event_config_new();
	SAY("set_flag NOLOCK ret %d", event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK));
	SAY("set_flag PRECISE_TIMER ret %d", event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER));
	SAY("num_cpus_hint ret %d", event_config_set_num_cpus_hint(cfg, 2));
	{
		struct timeval tv = { 0, 10000 };
		SAY("max_dispatch_interval ret %d", event_config_set_max_dispatch_interval(cfg, &tv, 5, 1));
	}
	base = event_base_new_with_config(cfg);
	CHECK(base);
	SAY("flags config -> %s", event_base_get_method(base));
	event_base_free(base);
	event_config_free(cfg);

	/* event_base_free(NULL) is harmless */
	event_base_free(NULL);
	SAY("done");
	return 0;
}
