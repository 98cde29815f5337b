/* Version reporting, linked against the umbrella library (-levent) rather than event_core. */
// LIBS: -levent
#include <event2/event.h>
#include <string.h>
#include "check.h"

int main(void)
{
	struct event_base *base;
	SAY("version %s", event_get_version());
	SAY("version number 0x%08x", (unsigned)event_get_version_number());
	SAY("LIBEVENT_VERSION %s", LIBEVENT_VERSION);
	SAY("LIBEVENT_VERSION_NUMBER 0x%08x", (unsigned)LIBEVENT_VERSION_NUMBER);
	CHECK(!strcmp(event_get_version(), "2.1.12-stable"));
	CHECK_EQ(event_get_version_number(), 0x02010c00);
	CHECK_EQ(LIBEVENT_VERSION_NUMBER, 0x02010c00);
	CHECK_EQ(event_get_struct_event_size(), 128);
	CHECK_EQ(sizeof(struct timeval) , 16);
	base = event_base_new();
	CHECK(base);
	SAY("method %s", event_base_get_method(base));
	event_base_free(base);
	return 0;
}
