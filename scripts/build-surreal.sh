#!/usr/bin/env bash
# Builds the SurrealDB server (the `surrealdb-server` crate at the version of our
# SurrealDB client) for the scale-out tests and benches, and prints its path.
# Its own small crate and build directory: a cold build takes long (about 45
# minutes on 2 cores), a warm one a second.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${FORMSEAL_SURREAL_TARGET_DIR:-/var/tmp/fs-target-surreal}"
(cd tools/surreal-server && CARGO_TARGET_DIR="$target" cargo build --release --locked --quiet) >&2
echo "$target/release/surreal"
