/* event_set_mem_functions, set before anything else: the library allocates through the given
 * functions (base, events), frees through them, and event_free releases what event_new took. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

static long n_malloc, n_realloc, n_free, outstanding;

/* a header in front of every block lets us check that frees come back to us */
#define MAGIC 0x5eed5eedUL
struct hdr {
	unsigned long magic;
	unsigned long pad;
};

static void *my_malloc(size_t n)
{
	struct hdr *h = malloc(sizeof(*h) + n);
	if (!h)
		return NULL;
	h->magic = MAGIC;
	n_malloc++;
	outstanding++;
	return h + 1;
}

static void *my_realloc(void *p, size_t n)
{
	struct hdr *h;
	n_realloc++;
	if (!p)
		return my_malloc(n);
	h = (struct hdr *)p - 1;
	CHECK(h->magic == MAGIC);
	h = realloc(h, sizeof(*h) + n);
	return h ? h + 1 : NULL;
}

static void my_free(void *p)
{
	struct hdr *h;
	if (!p)
		return;
	h = (struct hdr *)p - 1;
	CHECK(h->magic == MAGIC);
	h->magic = 0;
	n_free++;
	outstanding--;
	free(h);
}

static void cb(evutil_socket_t fd, short what, void *arg) { (void)fd; (void)what; (void)arg; }

int main(void)
{
	struct event_base *base;
	struct event *ev;
	long before;

	event_set_mem_functions(my_malloc, my_realloc, my_free);
	base = event_base_new();
	CHECK(base);
	SAY("base allocated through our malloc: %d", n_malloc > 0);
	before = outstanding;
	ev = event_new(base, -1, 0, cb, NULL);
	CHECK(ev);
	SAY("event_new took memory from us: %d", outstanding > before);
	event_free(ev);
	SAY("event_free gave it back: %d", outstanding == before);
	{
		struct timeval tv = { 0, 1000 };
		int i;
		struct event *evs[50];
		for (i = 0; i < 50; i++) {
			evs[i] = evtimer_new(base, cb, NULL);
			evtimer_add(evs[i], &tv);
		}
		event_base_dispatch(base);
		for (i = 0; i < 50; i++)
			event_free(evs[i]);
	}
	event_base_free(base);
	SAY("frees went through us: %d", n_free > 0);
	SAY("outstanding after base free: %ld", outstanding);
	libevent_global_shutdown();
	SAY("outstanding after global shutdown: %ld", outstanding);
	SAY("done");
	return 0;
}
