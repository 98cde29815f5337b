/* Shared by the evbuffer tests: prints a buffer's length and contents. Include after check.h. */
#ifndef RSEVENT_TEST_BUFFER_SHOW_H
#define RSEVENT_TEST_BUFFER_SHOW_H
#include <stdlib.h>
#include <event2/buffer.h>

static void show(const char *what, struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *tmp = malloc(n + 1);
	CHECK(tmp);
	CHECK_EQ(evbuffer_copyout(b, tmp, n), (ev_ssize_t)n);
	tmp[n] = '\0';
	SAY("%s: len=%zu \"%s\"", what, n, tmp);
	free(tmp);
}

#endif
