/*
 * timer_signal_stdin.c: one event loop, three kinds of events.
 *
 *   - a persistent timer that prints "tick N" every interval,
 *   - a SIGINT handler (evsignal) that asks the loop to exit,
 *   - a read event on stdin (or on a FIFO named on the command line) that echoes every line it
 *     reads and exits the loop at end of input.
 *
 * Usage: timer_signal_stdin [-i MILLISECONDS] [-n TICKS] [FIFO]
 *   -i  timer interval in milliseconds (default 200)
 *   -n  leave the loop after this many ticks (default 0: no limit)
 *   FIFO  read this named pipe instead of stdin; it is opened without blocking, so the program
 *         waits for a writer, and stops when the last writer closes it.
 *
 * It stops by itself at end of input, after -n ticks, or on Ctrl-C. stdin must be something epoll
 * can watch (a pipe, a terminal, a socket), not a regular file: use `cat file | ...`.
 *
 * Build against libevent (the system's or rsevent, same source):
 *   cc -o timer_signal_stdin timer_signal_stdin.c -levent
 */
#include <event2/event.h>

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct app {
	struct event_base *base;
	struct event *timer;
	struct event *sigint;
	struct event *input;
	int ticks;
	int max_ticks;
	int at_line_start;
	size_t bytes;
};

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct app *app = arg;
	(void)fd;
	(void)what;

	app->ticks++;
	printf("tick %d\n", app->ticks);
	if (app->max_ticks > 0 && app->ticks >= app->max_ticks) {
		printf("reached %d ticks, leaving the loop\n", app->max_ticks);
		event_base_loopexit(app->base, NULL);
	}
}

static void
on_sigint(evutil_socket_t sig, short what, void *arg)
{
	struct app *app = arg;
	(void)what;

	printf("got signal %d (SIGINT), leaving the loop\n", (int)sig);
	event_base_loopexit(app->base, NULL);
}

/* Prints what was read, each line prefixed with "echo: ". */
static void
echo(struct app *app, const char *data, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		if (app->at_line_start)
			fputs("echo: ", stdout);
		putchar(data[i]);
		app->at_line_start = data[i] == '\n';
	}
}

static void
on_input(evutil_socket_t fd, short what, void *arg)
{
	struct app *app = arg;
	char buf[4096];
	ssize_t n;
	(void)what;

	n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		app->bytes += (size_t)n;
		echo(app, buf, (size_t)n);
		fflush(stdout);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (!app->at_line_start)
		putchar('\n');
	if (n == 0)
		printf("end of input after %zu bytes, leaving the loop\n", app->bytes);
	else
		printf("read failed: %s, leaving the loop\n", strerror(errno));
	/* Nothing more will come: stop watching the descriptor, then leave. */
	event_del(app->input);
	event_base_loopexit(app->base, NULL);
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-i MILLISECONDS] [-n TICKS] [FIFO]\n", prog);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct app app;
	struct timeval interval;
	long interval_ms = 200;
	int fd = 0;
	int opt, ret;

	memset(&app, 0, sizeof(app));
	app.at_line_start = 1;
	while ((opt = getopt(argc, argv, "i:n:h")) != -1) {
		switch (opt) {
		case 'i':
			interval_ms = atol(optarg);
			break;
		case 'n':
			app.max_ticks = atoi(optarg);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (interval_ms <= 0 || app.max_ticks < 0 || argc - optind > 1)
		usage(argv[0]);
	if (optind < argc) {
		fd = open(argv[optind], O_RDONLY | O_NONBLOCK);
		if (fd < 0) {
			fprintf(stderr, "%s: %s\n", argv[optind], strerror(errno));
			return 1;
		}
	}
	/* Output may go to a pipe: keep the lines in order with what the shell prints. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	app.base = event_base_new();
	assert(app.base);
	printf("libevent %s, method %s\n", event_get_version(),
	    event_base_get_method(app.base));

	/* A timer with EV_PERSIST fires every interval until deleted. */
	app.timer = event_new(app.base, -1, EV_PERSIST, on_tick, &app);
	assert(app.timer);
	interval.tv_sec = interval_ms / 1000;
	interval.tv_usec = (interval_ms % 1000) * 1000;
	ret = event_add(app.timer, &interval);
	assert(ret == 0);

	app.sigint = evsignal_new(app.base, SIGINT, on_sigint, &app);
	assert(app.sigint);
	ret = event_add(app.sigint, NULL);
	assert(ret == 0);

	app.input = event_new(app.base, fd, EV_READ | EV_PERSIST, on_input, &app);
	assert(app.input);
	if (event_add(app.input, NULL) != 0) {
		fprintf(stderr, "cannot watch %s (a regular file? pipe it in instead)\n",
		    fd == 0 ? "stdin" : argv[optind]);
		return 1;
	}

	/* 0: left by loopexit; 1: no events were left to wait for; -1: error. */
	ret = event_base_dispatch(app.base);
	printf("loop done (dispatch returned %d): %d ticks, %zu bytes echoed\n", ret, app.ticks,
	    app.bytes);

	event_free(app.input);
	event_free(app.sigint);
	event_free(app.timer);
	event_base_free(app.base);
	if (fd != 0)
		close(fd);
	return ret == -1 ? 1 : 0;
}
