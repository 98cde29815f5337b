/* The same I/O scenarios (io_scenario.h) on the epoll, epoll-with-changelist and poll backends. */
#include "io_scenario.h"

int main(void)
{
	static const char *none[] = { NULL }, *no_epoll[] = { "epoll", NULL };
	struct event_base *base;

	base = base_avoiding(none, 0);
	CHECK(base);
	scenario(base);
	event_base_free(base);

	base = base_avoiding(none, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	CHECK(base);
	scenario(base);
	event_base_free(base);

	base = base_avoiding(no_epoll, 0);
	CHECK(base);
	scenario(base);
	event_base_free(base);
	SAY("done");
	return 0;
}
