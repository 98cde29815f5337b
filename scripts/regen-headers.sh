#!/usr/bin/env bash
# Regenerates the committed public headers in include/ from src/capi/ and cbindgen/.
#
# build.rs (build/headers.rs) writes the headers to $OUT_DIR/include on every build and records
# that directory in <target>/<profile>/rsevent-headers-dir; this script runs a build, then
# replaces include/ with what it generated. tests/headers.rs fails while the two differ.
#
# Usage: bash scripts/regen-headers.sh        (honours CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."

# `cargo check` runs the build script without compiling the library's code generation.
cargo check --lib --quiet

target=$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' |
  sed 's/^"target_directory":"//; s/"$//')
pointer="$target/debug/rsevent-headers-dir"
[ -f "$pointer" ] || { echo "regen-headers: $pointer not found (did build.rs run?)" >&2; exit 1; }
generated=$(cat "$pointer")
[ -f "$generated/event2/event.h" ] || { echo "regen-headers: no headers in $generated" >&2; exit 1; }

# include/ holds generated files only: replace it whole so that dropped headers disappear too.
rm -rf include.new
cp -R "$generated" include.new
rm -rf include
mv include.new include
git status --short -- include || true
echo "regen-headers: include/ updated from $generated"
