#!/usr/bin/env bash
# Builds the console's browser part (cargo-leptos: the hydrate wasm and the CSS), the
# host crates (the `formseal` server and the SurrealDB server of the scale-out tests)
# in one `cargo build` of the workspace's default members, and the embeddable widget
# (always size-optimised).
#
# One `cargo build` of the default members, never `-p` sets: a different set of
# packages resolves different features below SurrealDB and compiles SurrealDB and
# RocksDB again (about 20 minutes). `cargo test` in scripts/test.sh uses the same set.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
profile_flag=""
[ "${1:-}" = "--release" ] && profile_flag="--release"
cargo leptos build $profile_flag --frontend-only
cargo build $profile_flag
scripts/build-widget.sh
