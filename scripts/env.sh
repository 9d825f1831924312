# Shared environment of the scripts (sourced, not run).
# Build output lives outside the clone so fresh clones (CI) reuse a warm cache.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/formseal-target}"
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Where cargo-leptos puts the console's assets, and where the widget is added.
export FORMSEAL_SITE_DIR="${FORMSEAL_SITE_DIR:-$PWD/target/site}"
# Leptos reads this at compile time (asset names). cargo-leptos sets it for its own
# builds; setting it for every cargo call keeps `cargo test` from rebuilding Leptos
# and from producing a server that names the wasm differently.
export LEPTOS_OUTPUT_NAME=formseal
# CI builds a fresh clone each time: incremental caches would only pile up on disk.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi
# Our own crates are compiled by clippy-driver (what `cargo clippy` does, but producing
# the real binaries): the lints of Cargo.toml's [workspace.lints] run on exactly what
# the build compiles, in the same pass. Dependencies are compiled by rustc as before.
if command -v clippy-driver >/dev/null; then
  export RUSTC_WORKSPACE_WRAPPER="${RUSTC_WORKSPACE_WRAPPER-$(command -v clippy-driver)}"
fi
