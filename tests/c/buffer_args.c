/* Edge arguments the reference accepts without crashing: NULL data with length 0 for add /
 * prepend / remove / copyout / add_reference, NULL iovecs with count 0 for commit_space and
 * reserve_space, a NULL cleanup and NULL n_read_out, printf of a NULL string, huge lengths for
 * remove/copyout/drain/prepend, negative lengths for pullup and peek, and a NULL callback
 * function registered but never reached. (NULL buffers crash the reference: not tested.) */
#include <event2/buffer.h>
#include <string.h>
#include "check.h"

#include "buffer_show.h"

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	struct evbuffer_iovec v[2];
	char out[64];
	const char *volatile nul = NULL;
	unsigned char *p;
	int r;
	CHECK(b);
	evbuffer_add(b, "abc", 3);

	SAY("add NULL,0 -> %d", evbuffer_add(b, NULL, 0));
	SAY("prepend NULL,0 -> %d", evbuffer_prepend(b, NULL, 0));
	SAY("remove NULL,0 -> %d", evbuffer_remove(b, NULL, 0));
	SAY("copyout NULL,0 -> %zd", evbuffer_copyout(b, NULL, 0));
	SAY("add_reference NULL,0 -> %d", evbuffer_add_reference(b, NULL, 0, NULL, NULL));
	SAY("commit_space NULL,0 -> %d", evbuffer_commit_space(b, NULL, 0));
	SAY("reserve_space NULL,0 -> %d", evbuffer_reserve_space(b, 10, NULL, 0));
	SAY("readln no eol, NULL n_read_out -> %s", evbuffer_readln(b, NULL, EVBUFFER_EOL_ANY) ? "line" : "NULL");
	show("after NULL args", b);

	r = evbuffer_add_printf(b, "[%s]", nul);
	SAY("printf NULL string -> %d", r);
	show("  ", b);

	/* huge lengths */
	r = evbuffer_prepend(b, "x", (size_t)-1);
	SAY("prepend SIZE_MAX -> %d", r);
	memset(out, 0, sizeof(out));
	r = evbuffer_remove(b, out, (size_t)-1 / 2);
	SAY("remove SIZE_MAX/2 -> %d \"%.*s\"", r, r > 0 ? r : 0, out);
	evbuffer_add(b, "0123456789", 10);
	SAY("copyout SIZE_MAX -> %zd", evbuffer_copyout(b, out, (size_t)-1));
	r = evbuffer_drain(b, (size_t)-1);
	SAY("drain SIZE_MAX -> %d len=%zu", r, evbuffer_get_length(b));

	evbuffer_add(b, "0123456789", 10);
	p = evbuffer_pullup(b, -5);
	SAY("pullup -5 -> %s", p ? "ptr" : "NULL");
	p = evbuffer_pullup(b, (ev_ssize_t)((size_t)-1 / 2));
	SAY("pullup SSIZE_MAX -> %s", p ? "ptr" : "NULL");
	r = evbuffer_peek(b, -100, NULL, v, 2);
	SAY("peek -100 -> %d first len=%zu", r, r > 0 ? v[0].iov_len : 0);
	r = evbuffer_peek(b, 0, NULL, NULL, 0);
	SAY("peek 0 count -> %d", r);
	r = evbuffer_add_iovec(b, NULL, 0);
	SAY("add_iovec NULL,0 -> %d", r);
	{
		struct evbuffer_iovec z[2] = { { NULL, 0 }, { (void *)"!", 1 } };
		r = (int)evbuffer_add_iovec(b, z, 2);
		SAY("add_iovec with an empty first -> %d", r);
	}
	show("after edge lengths", b);

	/* a NULL callback can be added and removed again without running */
	{
		struct evbuffer_cb_entry *e = evbuffer_add_cb(b, NULL, NULL);
		SAY("add_cb NULL fn -> %s", e ? "entry" : "NULL");
		if (e)
			SAY("remove_cb_entry -> %d", evbuffer_remove_cb_entry(b, e));
		evbuffer_add(b, "z", 1);
		SAY("add after removal ok, len=%zu", evbuffer_get_length(b));
	}

	evbuffer_free(b);
	SAY("done");
	return 0;
}
