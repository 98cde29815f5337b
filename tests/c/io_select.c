/* The select backend, which the reference offers next to epoll and poll: listed among the
 * supported methods, chosen when epoll and poll are avoided, and running the io_scenario.h
 * scenarios. */
#include "io_scenario.h"

int main(void)
{
	static const char *no_epoll_poll[] = { "epoll", "poll", NULL };
	const char **m;
	struct event_base *base;

	printf("supported methods:");
	for (m = event_get_supported_methods(); *m; m++)
		printf(" %s", *m);
	printf("\n");
	base = base_avoiding(no_epoll_poll, 0);
	SAY("avoiding epoll and poll: %s", base ? event_base_get_method(base) : "no base");
	CHECK(base);
	scenario(base);
	event_base_free(base);
	SAY("done");
	return 0;
}
