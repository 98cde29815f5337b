#!/usr/bin/env bash
# Builds rsevent, compiles examples/timer_signal_stdin.c against it (our include/ and libevent.so)
# and runs it three ways: input piped in until end of input, input arriving slowly between timer
# ticks, and a FIFO reader stopped by SIGINT.
#
#   scripts/example.sh          against rsevent (runs `cargo build --release` first)
#   scripts/example.sh --ref    the same program against the system libevent, for comparison
#
# Needs what scripts/install-deps.sh installs (a C compiler; libevent-dev only for --ref).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

side=ours
case "${1:-}" in
  --ref) side=ref ;;
  "") ;;
  *) echo "usage: $0 [--ref]" >&2; exit 2 ;;
esac

target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target=$root/$target ;; esac
out=$target/c-examples
mkdir -p "$out"
src=examples/timer_signal_stdin.c
bin=$out/timer_signal_stdin-$side

if [ "$side" = ours ]; then
  echo "== cargo build --release"
  cargo build --release
  lib=$target/release
  # Our headers: the committed include/, or (before it exists) the copy build.rs generated.
  inc=$root/include
  if [ ! -e "$inc/event2/event.h" ] && [ -e "$lib/rsevent-headers-dir" ]; then
    inc=$(cat "$lib/rsevent-headers-dir")
  fi
  for f in "$lib/libevent.so" "$inc/event2/event.h"; do
    [ -e "$f" ] || { echo "$f is missing after the build" >&2; exit 1; }
  done
  echo "== cc $src against rsevent ($lib, headers in $inc)"
  cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -O2 -I "$inc" -o "$bin" "$src" \
     -L "$lib" -Wl,-rpath,"$lib" -levent
  # The program must load our library, not the system's.
  resolved=$(ldd "$bin" | awk '/libevent/ {print $1 " => " $3}')
  echo "$resolved"
  case "$resolved" in
    *"$lib"/*) ;;
    *) echo "the example does not resolve libevent to $lib" >&2; exit 1 ;;
  esac
else
  echo "== cc $src against the system libevent"
  cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -O2 -o "$bin" "$src" -levent
  ldd "$bin" | awk '/libevent/ {print $1 " => " $3}'
fi

echo
echo "== 1. lines piped in; the program stops at end of input"
printf 'hello\nfrom a pipe\n' | "$bin"

echo
echo "== 2. input arrives slowly; the timer ticks in between (every 100 ms)"
{ echo first; sleep 0.35; echo second; sleep 0.25; } | "$bin" -i 100

echo
echo "== 3. reading a FIFO that stays open; SIGINT stops the loop (-n 50 as a safety net)"
work=$(mktemp -d)
pid=
cleanup() {
  exec 3>&- 2>/dev/null || true
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkfifo "$work/fifo"
exec 3<>"$work/fifo"       # hold a writer open, so the reader sees no end of input
"$bin" -i 100 -n 50 "$work/fifo" &
pid=$!
echo "written into the fifo" >&3
sleep 0.35
kill -INT "$pid"
status=0
wait "$pid" || status=$?
pid=
echo "exit status $status"
exit "$status"
