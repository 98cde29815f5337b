/* evbuffer_enable_locking before and after evthread_use_pthreads, twice, evbuffer_lock/unlock as
 * no-ops on an unlocked buffer, and four threads appending two-part records under
 * evbuffer_lock while a fifth removes whole records: no record is split or lost. */
// LIBS: -levent_core -levent_pthreads
#include <event2/buffer.h>
#include <event2/thread.h>
#include <pthread.h>
#include <string.h>
#include "check.h"

#define THREADS 4
#define RECORDS 5000

static struct evbuffer *shared, *sink;

static void *producer(void *arg)
{
	char head[2] = { 'H', (char)('0' + (int)(long)arg) };
	char body[6];
	int i;
	memset(body, 'a' + (int)(long)arg, sizeof(body));
	for (i = 0; i < RECORDS; i++) {
		evbuffer_lock(shared);
		CHECK_EQ(evbuffer_add(shared, head, 2), 0);
		CHECK_EQ(evbuffer_add(shared, body, sizeof(body)), 0);
		evbuffer_unlock(shared);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	size_t moved = 0;
	(void)arg;
	while (moved < (size_t)THREADS * RECORDS * 8) {
		int r;
		evbuffer_lock(shared);
		/* whole records only */
		r = evbuffer_remove_buffer(shared, sink, evbuffer_get_length(shared) / 8 * 8);
		evbuffer_unlock(shared);
		CHECK(r >= 0);
		moved += (size_t)r;
	}
	return NULL;
}

int main(void)
{
	struct evbuffer *plain = evbuffer_new();
	pthread_t th[THREADS + 1];
	int r, i, counts[THREADS] = { 0 }, bad = 0;
	unsigned char *p;
	size_t len, k;
	CHECK(plain);

	r = evbuffer_enable_locking(plain, NULL);
	SAY("enable_locking without thread support -> %d", r);
	evbuffer_lock(plain);
	evbuffer_add(plain, "ok", 2);
	evbuffer_unlock(plain);
	SAY("lock/unlock on plain buffer, len=%zu", evbuffer_get_length(plain));
	evbuffer_free(plain);

	CHECK_EQ(evthread_use_pthreads(), 0);
	shared = evbuffer_new();
	sink = evbuffer_new();
	CHECK(shared && sink);
	r = evbuffer_enable_locking(shared, NULL);
	SAY("enable_locking -> %d", r);
	r = evbuffer_enable_locking(shared, NULL);
	SAY("enable_locking again -> %d", r);
	/* recursive locking is allowed */
	evbuffer_lock(shared);
	evbuffer_lock(shared);
	evbuffer_add(shared, "", 0);
	evbuffer_unlock(shared);
	evbuffer_unlock(shared);
	SAY("recursive lock ok");

	for (i = 0; i < THREADS; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, producer, (void *)(long)i), 0);
	CHECK_EQ(pthread_create(&th[THREADS], NULL, consumer, NULL), 0);
	for (i = 0; i <= THREADS; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);

	len = evbuffer_get_length(sink);
	SAY("sink len=%zu shared len=%zu", len, evbuffer_get_length(shared));
	p = evbuffer_pullup(sink, -1);
	CHECK(p);
	for (k = 0; k + 8 <= len; k += 8) {
		int id = p[k + 1] - '0';
		size_t j;
		if (p[k] != 'H' || id < 0 || id >= THREADS) {
			bad++;
			continue;
		}
		for (j = 2; j < 8; j++)
			if (p[k + j] != 'a' + id)
				bad++;
		counts[id]++;
	}
	SAY("records per thread %d %d %d %d, broken=%d", counts[0], counts[1], counts[2], counts[3], bad);

	evbuffer_free(shared);
	evbuffer_free(sink);
	SAY("done");
	return 0;
}
