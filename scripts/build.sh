#!/usr/bin/env bash
# Builds everything: the host crates (the `formseal` server and the SurrealDB server of
# the scale-out tests) in one `cargo build` of the workspace's default members, and,
# side by side with it, what runs in the browser (scripts/build-front.sh: the
# console's hydrate wasm and CSS, the widget). The two share no build directory, and
# each has long steps that use one core (SurrealDB's core crate, the linker), so
# together they keep both cores busy.
#
# One `cargo build` of the default members, never `-p` sets: a different set of
# packages resolves different features below SurrealDB and compiles SurrealDB and
# RocksDB again (about 20 minutes). `cargo test` in scripts/test.sh uses the same set.
#
# Options (scripts/test.sh uses the last two):
#   --release        optimised builds
#   --setup          install the cargo tools (scripts/setup.sh) first on the browser
#                    side: the host build needs none of them, so on a cold machine it
#                    compiles while they do
#   --test-binaries  also compile the tests on the host side (`cargo test --no-run`)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
profile_flag="" setup=false tests=false
for arg in "$@"; do
  case "$arg" in
    --release) profile_flag="--release" ;;
    --setup) setup=true ;;
    --test-binaries) tests=true ;;
    *) echo "unknown option: $arg"; exit 2 ;;
  esac
done
host_side() {
  cargo build $profile_flag
  if $tests; then cargo test $profile_flag --no-run; fi
}
browser_side() {
  if $setup; then scripts/setup.sh; fi
  scripts/build-front.sh $profile_flag
}
# Each side's lines carry its name, so the interleaved output still reads.
(host_side 2>&1 | sed -u 's/^/[host] /') &
host=$!
front_status=0
(browser_side 2>&1 | sed -u 's/^/[browser] /') || front_status=$?
host_status=0
wait "$host" || host_status=$?
[ "$host_status" -eq 0 ] || { echo "the host build failed (lines marked [host])"; exit 1; }
[ "$front_status" -eq 0 ] || { echo "the browser build failed (lines marked [browser])"; exit 1; }
