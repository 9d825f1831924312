#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests (embedded SurrealDB, real HTTP on
# loopback, the real binary killed mid-load), then Playwright in Debian's Chromium
# against the same debug build. Installs what is missing first.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/.."
# The system packages and Rust components first; then the host build and the cargo
# tools' installation side by side (scripts/build.sh --setup), with the test binaries.
scripts/setup.sh --system
scripts/build.sh --setup --test-binaries
source scripts/env.sh

echo "== Formatting (rustfmt) and lints (clippy)"
cargo fmt --all --check || { echo "run: cargo fmt --all"; exit 1; }
# Clippy is not a second pass: scripts/env.sh makes clippy-driver the compiler of our
# own crates, so the builds above and `cargo test` below ran every lint of
# [workspace.lints] (warnings are errors) on exactly what they compiled.
[ -n "${RUSTC_WORKSPACE_WRAPPER:-}" ] || { echo "clippy-driver missing: the lints did not run"; exit 1; }
echo "ok: clippy ran as the compiler of our crates ($RUSTC_WORKSPACE_WRAPPER)"

echo "== The widget depends on the model and renderer, never on the console or server"
if cargo tree -p widget --target wasm32-unknown-unknown -e normal --prefix none | grep -E '^(app|formseal-core|formseal|leptos_axum|axum|surrealdb) v'; then
  echo "the widget pulls in console or server crates (above)"; exit 1
fi
echo "ok"

echo "== Widget size (brotli) against widget/size-budget.txt"
scripts/widget-size.sh

echo "== The SurrealDB server for the scale-out tests (tools/surreal-server)"
# The replica tests (server/tests/it/replicas.rs) run several formseal processes
# against it; without FORMSEAL_SURREAL_BIN they do not run. scripts/build.sh built
# it already (a default member of the workspace); this only prints its path.
FORMSEAL_SURREAL_BIN="$(scripts/build-surreal.sh --built)"
export FORMSEAL_SURREAL_BIN
export FORMSEAL_SCALE_TESTS=required
echo "$FORMSEAL_SURREAL_BIN"

results="$(mktemp)"
echo "== Rust tests"
# Fault tests: FORMSEAL_FAULT_ROUNDS kill -9 rounds per engine (default 3; the long
# run is 50), proptest cases from PROPTEST_CASES (see docs/performance.md).
# The default members, as scripts/build.sh: the same features below SurrealDB, so this
# reuses what the build compiled and adds only our crates' tests.
cargo test 2>&1 | tee -a "$results"

echo "== The same model tests compiled to wasm32, run in Node: the browser decides as the server does"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p formseal-model --target wasm32-unknown-unknown 2>&1 | tee -a "$results"

echo "== Protocol test vectors, verified independently (Python)"
python3 docs/verify_vectors.py | tee -a "$results"

echo "== Browser tests"
data=$(mktemp -d /tmp/formseal-e2e.XXXXXX)
log="$data/server.log"
port="${FORMSEAL_E2E_PORT:-3100}"
# Every browser test comes from 127.0.0.1, so the per-address limit is raised.
"$CARGO_TARGET_DIR/debug/formseal" serve --data-dir "$data" --listen "127.0.0.1:$port" \
  --site-dir "$FORMSEAL_SITE_DIR" --rate-limit-burst 1000 >"$log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "the server did not start"; exit 1; }
  sleep 0.5
done
(cd end2end && FORMSEAL_URL="http://127.0.0.1:$port" FORMSEAL_SERVER_LOG="$log" \
  FORMSEAL_BIN="$CARGO_TARGET_DIR/debug/formseal" FORMSEAL_SITE_DIR="$FORMSEAL_SITE_DIR" npx playwright test) 2>&1 | tee -a "$results"

scripts/sweep-target.sh

# One line for people and CI: every runner above must have passed to get here.
rust=$(grep -oE '^test result: ok\. [0-9]+ passed' "$results" | awk '{s += $4} END {print s + 0}')
browser=$(grep -oE '^ +[0-9]+ passed' "$results" | awk '{s += $1} END {print s + 0}')
vectors=$(grep -c '^ok ' "$results" || true)
rm -f "$results"
echo "tests: $((rust + vectors + browser)) passed, 0 failed ($rust Rust incl. wasm32, $vectors protocol-vector checks, $browser browser)"
