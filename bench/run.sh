#!/usr/bin/env bash
# Builds the benchmarks twice (against the reference libevent installed on the system, and against
# ours), runs both, and prints a Markdown table of wall-time ratios and callgrind instructions per
# operation. The table is also written to bench/out/results.md. See bench/README.md.
#
# Usage: bench/run.sh [--no-build] [--no-callgrind] [--no-wall]
#   --no-build      do not run `cargo build --release` first
#   --no-callgrind  skip the instruction counts
#   --no-wall       skip the wall-time runs
# Environment:
#   RSEVENT_BENCH_OURS_LIBDIR  directory holding our libevent*.so (default: the release profile dir,
#                              $CARGO_TARGET_DIR/release or target/release; setting it skips the build)
#   RSEVENT_BENCH_RUNS         wall-time runs per side, best one kept (default 11)
#   RSEVENT_BENCH_TIMEOUT      seconds before a run counts as hung (default 60; x4 under callgrind)
#   CC, CFLAGS                 compiler and flags for the benchmark programs (default cc, -O2 -g)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/out"
bin="$out/bin"
mkdir -p "$bin"

do_build=1 do_callgrind=1 do_wall=1
for arg in "$@"; do
	case "$arg" in
	--no-build) do_build=0 ;;
	--no-callgrind) do_callgrind=0 ;;
	--no-wall) do_wall=0 ;;
	-h | --help) sed -n '2,18p' "$0"; exit 0 ;;
	*) echo "unknown option: $arg" >&2; exit 2 ;;
	esac
done

runs=${RSEVENT_BENCH_RUNS:-11}
limit=${RSEVENT_BENCH_TIMEOUT:-60}
cc=${CC:-cc}
cflags=${CFLAGS:--O2 -g}

if [ -n "${RSEVENT_BENCH_OURS_LIBDIR:-}" ]; then
	libdir=$RSEVENT_BENCH_OURS_LIBDIR
	do_build=0
else
	libdir="${CARGO_TARGET_DIR:-$root/target}/release"
fi

log() { echo "bench: $*" >&2; }

if [ "$do_build" = 1 ]; then
	log "cargo build --release (target dir: ${CARGO_TARGET_DIR:-$root/target})"
	if ! (cd "$root" && cargo build --release --quiet); then
		log "cargo build failed"
		exit 1
	fi
fi
if [ ! -e "$libdir/libevent_core.so" ]; then
	log "no libevent_core.so in $libdir"
	exit 1
fi
libdir=$(realpath "$libdir")
# Our headers: the committed include/, or while that does not exist the copy build.rs generates
# (its location is in <profile>/rsevent-headers-dir).
incdir="$root/include"
if [ ! -e "$incdir/event2/event.h" ] && [ -r "$libdir/rsevent-headers-dir" ]; then
	incdir=$(tr -d '\n' <"$libdir/rsevent-headers-dir")
fi
if [ ! -e "$incdir/event2/event.h" ]; then
	log "warning: no event2/event.h of ours found; ours is compiled against the system headers"
fi

# --- build -----------------------------------------------------------------------------------
notes=()
note() { notes+=("$*"); log "$*"; }

progs=(pingpong timers evbuffer bev_echo)
declare -A built
for p in "${progs[@]}"; do
	rm -f "$bin/$p.ref" "$bin/$p.ours"
	# Reference: system headers and libraries.
	# shellcheck disable=SC2086
	$cc $cflags -Wall -Wextra -o "$bin/$p.ref" "$here/$p.c" -levent_core || exit 1
	built[$p.ref]=1
	# Ours: our headers first, our libraries. DT_RPATH (not RUNPATH) so that it also applies to
	# libraries loaded on behalf of other libraries (libevent_core.so reaches libevent-2.1.so.7).
	# shellcheck disable=SC2086
	if ! $cc $cflags -Wall -Wextra -I "$incdir" -o "$bin/$p.ours" "$here/$p.c" \
		-L "$libdir" -Wl,--disable-new-dtags -Wl,-rpath,"$libdir" -levent_core \
		2>"$out/$p.ours.build.log"; then
		why=$(grep -o "undefined reference to [^ ]*" "$out/$p.ours.build.log" | sort -u | tr '\n' ' ')
		[ -n "$why" ] || why=$(grep -m 3 -i error "$out/$p.ours.build.log" | tr '\n' ' ')
		note "$p: does not build against ours: ${why:0:600}"
		built[$p.ours]=0
		continue
	fi
	built[$p.ours]=1
	# Every libevent the ours binary loads must come from $libdir.
	while read -r lib path; do
		dir=$(realpath "$(dirname "$path")" 2>/dev/null || echo "?")
		if [ "$dir" != "$libdir" ]; then
			log "error: $p.ours loads $lib from $path, not from $libdir"
			exit 1
		fi
	done < <(ldd "$bin/$p.ours" | awk '/libevent/ { print $1, $3 }')
done

# --- the benchmarks --------------------------------------------------------------------------
# name | arguments for wall time | arguments under callgrind (smaller, a few seconds each)
benches=(
	"pingpong|pingpong -n 1000 -a 100 -w 100 -r 500|pingpong -n 1000 -a 100 -w 100 -r 100"
	"timers readd|timers -m readd -n 10000 -k 50|timers -m readd -n 10000 -k 10"
	"timers zero|timers -m zero -n 10000 -z 500000 -b 100|timers -m zero -n 10000 -z 20000 -b 100"
	"evbuffer small|evbuffer -m small -r 40|evbuffer -m small -r 4"
	"evbuffer addbuf|evbuffer -m addbuf -k 200000|evbuffer -m addbuf -k 40000"
	"evbuffer readln crlf|evbuffer -m readln -e crlf -n 200000|evbuffer -m readln -e crlf -n 50000"
	"evbuffer readln lf|evbuffer -m readln -e lf -n 200000|evbuffer -m readln -e lf -n 50000"
	"evbuffer search|evbuffer -m search -k 20|evbuffer -m search -k 4"
	"evbuffer io|evbuffer -m io -r 2000|evbuffer -m io -r 400"
	"bev echo small|bev_echo -c 200 -s 64 -r 100|bev_echo -c 200 -s 64 -r 20"
	"bev echo large|bev_echo -c 4 -s 262144 -r 50|bev_echo -c 4 -s 262144 -r 10"
	"bev idle accept|bev_echo -m idle -n 2000|bev_echo -m idle -n 2000"
)

# run <side> <timeout> <outfile-prefix> <command...>: runs one benchmark program; prints its
# result line, or FAIL:<why> when it exits badly or hangs.
run() {
	local side=$1 secs=$2 pfx=$3
	shift 3
	timeout -k 5 "$secs" "$@" >"$pfx.stdout" 2>"$pfx.stderr"
	local rc=$?
	if [ $rc -eq 0 ] && grep -q ' ops=' "$pfx.stdout"; then
		grep ' ops=' "$pfx.stdout" | tail -n 1
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "FAIL:hang (killed after ${secs}s)"
	elif [ $rc -gt 128 ]; then
		echo "FAIL:signal $((rc - 128))"
	else
		echo "FAIL:exit $rc"
	fi
}

# libir <callgrind.out>: self cost (Ir) of the code in libevent*.so objects. Callgrind compresses
# object names to "(id) name" on first use and "(id)" afterwards, shared between ob= and cob=; a
# cost line right after calls= is the inclusive cost of that call and is not self cost.
libir() {
	awk '
	function obj(s,    id) {
		if (match(s, /^\([0-9]+\)/)) {
			id = substr(s, 1, RLENGTH)
			if (length(s) > RLENGTH + 1) names[id] = substr(s, RLENGTH + 2)
			return names[id]
		}
		return s
	}
	/^ob=/ { cur = obj(substr($0, 4)); next }
	/^cob=/ { obj(substr($0, 5)); next }
	/^calls=/ { skip = 1; next }
	/^[0-9+*-]/ { if (skip) { skip = 0; next } if (cur ~ /libevent/) sum += $2 }
	END { printf "%d\n", sum }' "$1"
}

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A wall cpu ir ops libirop heap rss
for spec in "${benches[@]}"; do
	IFS='|' read -r name wall_args cg_args <<<"$spec"
	key=${name// /_}
	read -r -a wa <<<"$wall_args"
	read -r -a ca <<<"$cg_args"
	for side in ref ours; do
		if [ "${built[${wa[0]}.$side]}" = 1 ]; then
			wall[$key.$side]="-"
			cpu[$key.$side]="-"
			ir[$key.$side]="-"
			libirop[$key.$side]="-"
		else
			wall[$key.$side]="no build"
			cpu[$key.$side]="no build"
			ir[$key.$side]="no build"
			libirop[$key.$side]="no build"
		fi
	done

	if [ "$do_wall" = 1 ]; then
		declare -A best=() bestcpu=()
		for ((i = 0; i < runs; i++)); do
			for side in ref ours; do
				[ "${best[$side]:-}" = FAIL ] && continue
				[ "${built[${wa[0]}.$side]}" = 1 ] || continue
				line=$(run "$side" "$limit" "$out/$key.$side" "$bin/${wa[0]}.$side" "${wa[@]:1}")
				if [[ $line == FAIL:* ]]; then
					note "$name ($side): ${line#FAIL:} running: ${wa[*]}; stderr: $(tail -n 3 "$out/$key.$side.stderr" | tr '\n' ' ')"
					best[$side]=FAIL
					wall[$key.$side]="${line#FAIL:}"
					continue
				fi
				ns=$(field ns "$line")
				if [ -z "${best[$side]:-}" ] || [ "$ns" -lt "${best[$side]}" ]; then
					best[$side]=$ns
				fi
				wall[$key.$side]=${best[$side]}
				c=$(field cpu_ns "$line")
				if [ -z "${bestcpu[$side]:-}" ] || [ "$c" -lt "${bestcpu[$side]}" ]; then
					bestcpu[$side]=$c
				fi
				cpu[$key.$side]=${bestcpu[$side]}
				# Memory per idle connection (bev_echo -m idle): the smallest of the runs.
				if [[ $line == *heap_per_conn=* ]]; then
					h=$(field heap_per_conn "$line")
					if [ -z "${heap[$key.$side]:-}" ] || awk -v a="$h" -v b="${heap[$key.$side]}" 'BEGIN { exit !(a < b) }'; then
						heap[$key.$side]=$h
						rss[$key.$side]=$(field rss_per_conn "$line")
					fi
				fi
				if [[ $line == *spurious=[1-9]* ]]; then
					note "$name ($side): $(field spurious "$line") callbacks found no data (level-triggered readiness reported without data)"
				fi
			done
		done
		unset best bestcpu
	fi

	if [ "$do_callgrind" = 1 ]; then
		for side in ref ours; do
			[ "${built[${ca[0]}.$side]}" = 1 ] || continue
			cgout="$out/callgrind.$key.$side.out"
			line=$(run "$side" $((limit * 4)) "$out/$key.$side.cg" valgrind --tool=callgrind \
				--instr-atstart=no --callgrind-out-file="$cgout" "$bin/${ca[0]}.$side" "${ca[@]:1}")
			if [[ $line == FAIL:* ]]; then
				note "$name ($side, callgrind): ${line#FAIL:} running: ${ca[*]}; stderr: $(grep -v '^==' "$out/$key.$side.cg.stderr" | tail -n 3 | tr '\n' ' ')"
				ir[$key.$side]="${line#FAIL:}"
				continue
			fi
			total=$(awk '/^totals:/ { print $2 }' "$cgout")
			n=$(field ops "$line")
			ops[$key.$side]=$n
			if [ -n "$total" ] && [ "${n:-0}" -gt 0 ]; then
				ir[$key.$side]=$(awk -v t="$total" -v n="$n" 'BEGIN { printf "%.1f", t / n }')
				libirop[$key.$side]=$(awk -v t="$(libir "$cgout")" -v n="$n" 'BEGIN { printf "%.1f", t / n }')
			fi
		done
		if [ -n "${ops[$key.ref]:-}" ] && [ -n "${ops[$key.ours]:-}" ] && [ "${ops[$key.ref]}" != "${ops[$key.ours]}" ]; then
			note "$name: op counts differ under callgrind (ref ${ops[$key.ref]}, ours ${ops[$key.ours]})"
		fi
	fi
done

# --- the table -------------------------------------------------------------------------------
isnum() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
ms() { if isnum "$1"; then awk -v v="$1" 'BEGIN { printf "%.1f ms", v / 1e6 }'; else echo "$1"; fi; }
ratio() {
	if isnum "$1" && isnum "$2" && [ "$1" != 0 ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", b / a }'
	else
		echo "-"
	fi
}

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo "+dirty")
{
	echo "| benchmark | ref time | ours time | time ratio | ref Ir/op | ours Ir/op | Ir ratio |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for spec in "${benches[@]}"; do
		IFS='|' read -r name _ _ <<<"$spec"
		key=${name// /_}
		echo "| $name | $(ms "${wall[$key.ref]}") | $(ms "${wall[$key.ours]}") |" \
			"$(ratio "${wall[$key.ref]}" "${wall[$key.ours]}") | ${ir[$key.ref]} | ${ir[$key.ours]} |" \
			"$(ratio "${ir[$key.ref]}" "${ir[$key.ours]}") |"
	done
	echo
	echo "CPU time (user + system) of the measured section, and instructions inside the library only"
	echo "(self cost of libevent*.so per operation):"
	echo
	echo "| benchmark | ref CPU | ours CPU | CPU ratio | ref lib Ir/op | ours lib Ir/op | lib Ir ratio |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for spec in "${benches[@]}"; do
		IFS='|' read -r name _ _ <<<"$spec"
		key=${name// /_}
		echo "| $name | $(ms "${cpu[$key.ref]}") | $(ms "${cpu[$key.ours]}") |" \
			"$(ratio "${cpu[$key.ref]}" "${cpu[$key.ours]}") |" \
			"${libirop[$key.ref]} | ${libirop[$key.ours]} |" \
			"$(ratio "${libirop[$key.ref]}" "${libirop[$key.ours]}") |"
	done
	if [ ${#heap[@]} -gt 0 ]; then
		echo
		echo "Memory per idle connection (bev_echo -m idle: heap bytes in use, mallinfo2 arena plus"
		echo "mmapped blocks, and resident set growth, per accepted connection with its socket"
		echo "bufferevent; smallest of the runs):"
		echo
		echo "| benchmark | ref heap/conn | ours heap/conn | heap ratio | ref RSS/conn | ours RSS/conn |"
		echo "|---|---:|---:|---:|---:|---:|"
		for spec in "${benches[@]}"; do
			IFS='|' read -r name _ _ <<<"$spec"
			key=${name// /_}
			[ -n "${heap[$key.ref]:-}${heap[$key.ours]:-}" ] || continue
			echo "| $name | ${heap[$key.ref]:--} B | ${heap[$key.ours]:--} B |" \
				"$(ratio "${heap[$key.ref]:-}" "${heap[$key.ours]:-}") |" \
				"${rss[$key.ref]:--} B | ${rss[$key.ours]:--} B |"
		done
	fi
	echo
	echo "Ratios are ours / reference. Time: best of $runs runs of the measured section only."
	echo "Ir/op: callgrind instructions inside the measured section (library, libc and the program's"
	echo "own callbacks) divided by its operation count."
	if [ "$do_wall" = 1 ]; then
		echo "Load average before the timed runs: $load0 (the machine has $(nproc) CPUs; a load near"
		echo "or above that makes wall times noisy, CPU times less so)."
	fi
	echo "Commit $commit$dirty, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, ours from $libdir."
	echo
	echo "Parameters (wall time; callgrind):"
	for spec in "${benches[@]}"; do
		IFS='|' read -r name wall_args cg_args <<<"$spec"
		echo "- $name: \`$wall_args\`; \`$cg_args\`"
	done
	if [ ${#notes[@]} -gt 0 ]; then
		echo
		echo "Problems:"
		for n in "${notes[@]}"; do echo "- $n"; done
	fi
} | tee "$out/results.md"

# Keep each run's table, and the callgrind profiles, to compare with later runs.
hist="$out/history/$(date -u +%Y%m%d-%H%M%S)-$commit$dirty"
mkdir -p "$hist"
cp "$out/results.md" "$hist/"
cp "$out"/callgrind.*.out "$hist/" 2>/dev/null || true

[ ${#notes[@]} -eq 0 ]
