/* evbuffer: cost of the byte-queue operations of event2/buffer.h.
 *
 * Every mode builds its fixture before the measured section and checks the result after it; the
 * data are pseudo-random (fixed seed), so every run does the same work.
 *
 * -m small (default): R rounds; a round appends pieces of 16-64 bytes until the buffer holds
 *   S KiB (-s, default 1024), then empties it with evbuffer_remove() of 64 KiB at a time (each
 *   removed block is compared with the expected bytes). Operations: the adds plus the removes.
 * -m addbuf: buffers X and Y of C chunks (-c, default 8) of 512 bytes each, and an empty Z. One
 *   iteration: evbuffer_add_buffer(X, Y) (append to a non-empty buffer), evbuffer_remove_buffer
 *   (X, Y, <X's old length>) (whole chunks move back), evbuffer_add_buffer(Z, X) and
 *   evbuffer_add_buffer(X, Z) (moves into an empty buffer). K iterations (-k, default 200000).
 *   Operations: the four calls per iteration.
 * -m readln: N lines (-n, default 200000) of 8-72 bytes, ending in "\r\n" (-e crlf, default,
 *   read with EVBUFFER_EOL_CRLF) or "\n" (-e lf, read with EVBUFFER_EOL_LF), appended 4 KiB at a
 *   time before timing; the measured section reads them all back with evbuffer_readln() (and
 *   frees each line). Operations: the lines.
 * -m search: S KiB (-s, default 4096) of lowercase letters, appended 4 KiB at a time, with a
 *   16-byte pattern 100 bytes before the end; K searches (-k, default 20) with evbuffer_search()
 *   from the start must find it there. Operations: the searches.
 * -m io: a socketpair; a round appends W blocks of 4 KiB (-w, default 16) to one buffer, writing
 *   each to the socket with evbuffer_write(), then reads them with evbuffer_read() (at most 4 KiB
 *   each) into a second buffer and drains it. R rounds (-r). Operations: the writes plus the reads.
 *
 * Usage: evbuffer [-m small|addbuf|readln|search|io] [-e crlf|lf] [-r rounds] [-s KiB] [-c chunks]
 *                 [-k iterations] [-n lines] [-w writes]
 * Output: one line, "evbuffer mode=.. ... ops=<operations> ns=<measured> ns_per_op=..".
 *
 * Uses only the public API of event2/buffer.h. */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "bench.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static long n_rounds = -1, size_kib = -1, n_chunks = 8, n_iter = -1, n_lines = 200000, n_writes = 16;

static void die(const char *what)
{
	fprintf(stderr, "error: %s\n", what);
	exit(1);
}

static struct evbuffer *new_buffer(void)
{
	struct evbuffer *b = evbuffer_new();
	if (!b)
		die("evbuffer_new failed");
	return b;
}

/* Appends `len` bytes in pieces of at most 4 KiB, as data arriving from the network would. */
static void add_in_pieces(struct evbuffer *b, const char *data, size_t len)
{
	for (size_t at = 0; at < len; at += 4096) {
		size_t k = len - at < 4096 ? len - at : 4096;
		if (evbuffer_add(b, data + at, k) != 0)
			die("evbuffer_add failed");
	}
}

/* ---- small adds, large removes ---- */

#define PERIOD 65536
#define REMOVE 65536

static unsigned long long run_small(uint64_t *ns, char *params, size_t plen)
{
	long rounds = n_rounds < 0 ? 20 : n_rounds;
	size_t fill = (size_t)(size_kib < 0 ? 1024 : size_kib) * 1024;
	/* The byte stream is periodic: byte k is pattern[k % PERIOD] (the pattern array repeats
	 * itself, so that a piece or a removed block starting anywhere in a period is contiguous). */
	char *pattern = malloc(2 * PERIOD + 64);
	char *out = malloc(REMOVE);
	unsigned char *lens = malloc(fill + 64);
	if (!pattern || !out || !lens)
		die("out of memory");
	for (size_t i = 0; i < 2 * PERIOD + 64; i++)
		pattern[i] = (char)(i < PERIOD ? bench_rand(&rng) : (uint64_t)pattern[i - PERIOD]);
	/* Piece lengths, drawn before timing; the same sequence every round. */
	size_t n_pieces = 0;
	for (size_t sum = 0; sum < fill; n_pieces++) {
		lens[n_pieces] = (unsigned char)(16 + bench_rand(&rng) % 49);
		sum += lens[n_pieces];
	}
	struct evbuffer *b = new_buffer();
	unsigned long long ops = 0;
	size_t stream = 0, removed = 0;
	long bad = 0;

	uint64_t t0 = bench_begin();
	for (long r = 0; r < rounds; r++) {
		for (size_t i = 0; i < n_pieces; i++) {
			if (evbuffer_add(b, pattern + stream % PERIOD, lens[i]) != 0)
				die("evbuffer_add failed");
			stream += lens[i];
		}
		ops += n_pieces;
		for (;;) {
			int n = evbuffer_remove(b, out, REMOVE);
			if (n <= 0)
				break;
			ops++;
			if (memcmp(out, pattern + removed % PERIOD, (size_t)n) != 0)
				bad++;
			removed += (size_t)n;
		}
	}
	*ns = bench_end(t0);

	if (bad || removed != stream || evbuffer_get_length(b) != 0)
		die("small: the removed bytes are not the added ones");
	evbuffer_free(b);
	free(pattern);
	free(out);
	free(lens);
	snprintf(params, plen, "mode=small r=%ld s=%zu", rounds, fill / 1024);
	return ops;
}

/* ---- moving chunks between buffers ---- */

static unsigned long long run_addbuf(uint64_t *ns, char *params, size_t plen)
{
	long iters = n_iter < 0 ? 200000 : n_iter;
	struct evbuffer *x = new_buffer(), *y = new_buffer(), *z = new_buffer();
	char piece[512];
	/* X holds chunks of 'x...' and Y of 'y...', one chunk per piece (added as whole buffers). */
	for (int side = 0; side < 2; side++) {
		memset(piece, side ? 'y' : 'x', sizeof(piece));
		for (long i = 0; i < n_chunks; i++) {
			struct evbuffer *t = new_buffer();
			if (evbuffer_add(t, piece, sizeof(piece)) != 0 ||
			    evbuffer_add_buffer(side ? y : x, t) != 0)
				die("fixture: evbuffer_add failed");
			evbuffer_free(t);
		}
	}
	size_t len = (size_t)n_chunks * sizeof(piece);
	long bad = 0;

	uint64_t t0 = bench_begin();
	for (long k = 0; k < iters; k++) {
		/* X = x's + y's, Y empty. */
		if (evbuffer_add_buffer(x, y) != 0)
			bad++;
		/* The first half (whole chunks) goes back: X = y's, Y = x's. */
		if (evbuffer_remove_buffer(x, y, len) != (int)len)
			bad++;
		/* Into an empty buffer and back. */
		if (evbuffer_add_buffer(z, x) != 0 || evbuffer_add_buffer(x, z) != 0)
			bad++;
	}
	*ns = bench_end(t0);

	/* After an odd number of iterations X holds the y's. */
	char expect = iters % 2 ? 'y' : 'x';
	unsigned char *p = evbuffer_pullup(x, -1);
	if (bad || evbuffer_get_length(x) != len || evbuffer_get_length(y) != len ||
	    evbuffer_get_length(z) != 0 || !p || p[0] != expect || p[len - 1] != expect)
		die("addbuf: the buffers do not hold what was moved");
	evbuffer_free(x);
	evbuffer_free(y);
	evbuffer_free(z);
	snprintf(params, plen, "mode=addbuf c=%ld k=%ld", n_chunks, iters);
	return (unsigned long long)iters * 4;
}

/* ---- lines ---- */

static unsigned long long run_readln(uint64_t *ns, char *params, size_t plen, int crlf)
{
	size_t cap = (size_t)n_lines * 75 + 1;
	char *text = malloc(cap);
	if (!text)
		die("out of memory");
	size_t len = 0, content = 0;
	for (long i = 0; i < n_lines; i++) {
		size_t k = 8 + bench_rand(&rng) % 65;
		for (size_t j = 0; j < k; j++)
			text[len++] = (char)(' ' + bench_rand(&rng) % 90);   /* printable, no CR/LF */
		content += k;
		if (crlf)
			text[len++] = '\r';
		text[len++] = '\n';
	}
	struct evbuffer *b = new_buffer();
	add_in_pieces(b, text, len);
	enum evbuffer_eol_style style = crlf ? EVBUFFER_EOL_CRLF : EVBUFFER_EOL_LF;
	long got = 0;
	size_t got_bytes = 0;
	unsigned char check = 0;

	uint64_t t0 = bench_begin();
	for (;;) {
		size_t n;
		char *line = evbuffer_readln(b, &n, style);
		if (!line)
			break;
		got++;
		got_bytes += n;
		check ^= (unsigned char)line[0];
		free(line);
	}
	*ns = bench_end(t0);

	unsigned char expect = 0;
	for (size_t i = 0, start = 1; i < len; i++) {
		if (start)
			expect ^= (unsigned char)text[i];
		start = text[i] == '\n';
	}
	if (got != n_lines || got_bytes != content || check != expect || evbuffer_get_length(b) != 0)
		die("readln: the lines read are not the lines written");
	evbuffer_free(b);
	free(text);
	snprintf(params, plen, "mode=readln e=%s n=%ld", crlf ? "crlf" : "lf", n_lines);
	return (unsigned long long)got;
}

/* ---- search ---- */

static unsigned long long run_search(uint64_t *ns, char *params, size_t plen)
{
	long searches = n_iter < 0 ? 20 : n_iter;
	size_t len = (size_t)(size_kib < 0 ? 4096 : size_kib) * 1024;
	if (len < 200)
		die("search: -s too small");
	char *text = malloc(len);
	char pat[16];
	if (!text)
		die("out of memory");
	for (size_t i = 0; i < len; i++)
		text[i] = (char)('a' + bench_rand(&rng) % 26);
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (char)('a' + bench_rand(&rng) % 26);
	size_t at = len - 100;
	memcpy(text + at, pat, sizeof(pat));
	/* The pattern must not occur earlier (it is random; this makes sure). */
	size_t first = (size_t)((char *)memmem(text, len, pat, sizeof(pat)) - text);
	struct evbuffer *b = new_buffer();
	add_in_pieces(b, text, len);
	long bad = 0;

	uint64_t t0 = bench_begin();
	for (long k = 0; k < searches; k++) {
		struct evbuffer_ptr p = evbuffer_search(b, pat, sizeof(pat), NULL);
		if (p.pos != (ev_ssize_t)first)
			bad++;
	}
	*ns = bench_end(t0);

	if (bad)
		die("search: the pattern was not found where it is");
	evbuffer_free(b);
	free(text);
	snprintf(params, plen, "mode=search s=%zu k=%ld", len / 1024, searches);
	return (unsigned long long)searches;
}

/* ---- socket I/O ---- */

#define BLOCK 4096

static unsigned long long run_io(uint64_t *ns, char *params, size_t plen)
{
	long rounds = n_rounds < 0 ? 2000 : n_rounds;
	int fds[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0)
		die("socketpair failed");
	int sz = 1 << 20;
	setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	for (int i = 0; i < 2; i++) {
		int fl = fcntl(fds[i], F_GETFL);
		if (fl < 0 || fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) < 0)
			die("fcntl failed");
	}
	size_t per_round = (size_t)n_writes * BLOCK;
	char *blocks = malloc(per_round);
	if (!blocks)
		die("out of memory");
	for (size_t i = 0; i < per_round; i++)
		blocks[i] = (char)bench_rand(&rng);
	struct evbuffer *out = new_buffer(), *in = new_buffer();
	unsigned long long ops = 0;
	long bad = 0;

	uint64_t t0 = bench_begin();
	for (long r = 0; r < rounds; r++) {
		for (long w = 0; w < n_writes; w++) {
			if (evbuffer_add(out, blocks + (size_t)w * BLOCK, BLOCK) != 0 ||
			    evbuffer_write(out, fds[0]) != BLOCK)
				bad++;
		}
		size_t got = 0;
		while (got < per_round) {
			int n = evbuffer_read(in, fds[1], BLOCK);
			if (n <= 0) {
				bad++;
				break;
			}
			got += (size_t)n;
			ops++;
		}
		ops += (unsigned long long)n_writes;
		/* The last round's bytes are checked below. */
		if (r + 1 < rounds && evbuffer_drain(in, got) != 0)
			bad++;
	}
	*ns = bench_end(t0);

	unsigned char *p = evbuffer_pullup(in, -1);
	if (bad || evbuffer_get_length(out) != 0 || evbuffer_get_length(in) != per_round || !p ||
	    memcmp(p, blocks, per_round) != 0)
		die("io: the bytes read are not the bytes written");
	evbuffer_free(out);
	evbuffer_free(in);
	close(fds[0]);
	close(fds[1]);
	free(blocks);
	snprintf(params, plen, "mode=io w=%ld r=%ld", n_writes, rounds);
	return ops;
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-m small|addbuf|readln|search|io] [-e crlf|lf] [-r rounds] "
	    "[-s KiB] [-c chunks] [-k iterations] [-n lines] [-w writes]\n", argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode = "small", *eol = "crlf";
	int opt;
	while ((opt = getopt(argc, argv, "m:e:r:s:c:k:n:w:")) != -1) {
		char name[2] = { (char)opt, 0 };
		switch (opt) {
		case 'm': mode = optarg; break;
		case 'e': eol = optarg; break;
		case 'r': n_rounds = bench_parse(name, optarg); break;
		case 's': size_kib = bench_parse(name, optarg); break;
		case 'c': n_chunks = bench_parse(name, optarg); break;
		case 'k': n_iter = bench_parse(name, optarg); break;
		case 'n': n_lines = bench_parse(name, optarg); break;
		case 'w': n_writes = bench_parse(name, optarg); break;
		default: usage(argv[0]);
		}
	}
	int crlf = !strcmp(eol, "crlf");
	if (!crlf && strcmp(eol, "lf"))
		usage(argv[0]);
	if (n_chunks < 1 || n_writes < 1 || n_writes > 64)
		usage(argv[0]);

	char params[160];
	uint64_t ns = 0;
	unsigned long long ops;
	if (!strcmp(mode, "small"))
		ops = run_small(&ns, params, sizeof(params));
	else if (!strcmp(mode, "addbuf"))
		ops = run_addbuf(&ns, params, sizeof(params));
	else if (!strcmp(mode, "readln"))
		ops = run_readln(&ns, params, sizeof(params), crlf);
	else if (!strcmp(mode, "search"))
		ops = run_search(&ns, params, sizeof(params));
	else if (!strcmp(mode, "io"))
		ops = run_io(&ns, params, sizeof(params));
	else
		usage(argv[0]);
	bench_report("evbuffer", params, ops, ns);
	return 0;
}
