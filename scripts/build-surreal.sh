#!/usr/bin/env bash
# Prints the path of the SurrealDB server (tools/surreal-server, the `surrealdb-server`
# crate at the version of our SurrealDB client) for the scale-out tests and benches,
# building it first. It is a default member of the workspace, so this is the same
# `cargo build` as scripts/build.sh's and shares its SurrealDB; `--profile perf` gives
# an optimised one for benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
profile="dev"
[ "${1:-}" = "--profile" ] && profile="$2"
cargo build --profile "$profile" --quiet >&2
dir="$profile"; [ "$profile" = "dev" ] && dir="debug"
echo "$CARGO_TARGET_DIR/$dir/surreal"
