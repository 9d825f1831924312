#!/usr/bin/env bash
# Prints the path of the SurrealDB server (tools/surreal-server, the `surrealdb-server`
# crate at the version of our SurrealDB client) for the scale-out tests and benches,
# building it first. It is a default member of the workspace, so this is the same
# `cargo build` as scripts/build.sh's and shares its SurrealDB; `--profile perf` gives
# an optimised one for benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
profile="dev" build=true
[ "${1:-}" = "--profile" ] && profile="$2"
# `--built`: only the path, of what scripts/build.sh built. scripts/test.sh uses it:
# a `cargo build` between `cargo test --no-run` and `cargo test` would compile our
# crates twice, because the tests turn on formseal-core's test-support feature.
[ "${1:-}" = "--built" ] && build=false
if $build; then cargo build --profile "$profile" --quiet >&2; fi
dir="$profile"; [ "$profile" = "dev" ] && dir="debug"
[ -x "$CARGO_TARGET_DIR/$dir/surreal" ] || { echo "no SurrealDB server at $CARGO_TARGET_DIR/$dir/surreal: run scripts/build.sh" >&2; exit 1; }
echo "$CARGO_TARGET_DIR/$dir/surreal"
