#!/usr/bin/env bash
# Installs everything Formseal needs to build, run and test, on a fresh Debian machine
# with access to the package registries only. Idempotent, and quick when all is there.
#
# `--system` stops after the system packages and the Rust components: all the host
# build needs. scripts/test.sh starts that build then and installs the cargo tools
# beside it (they compile in their own directories), which keeps both cores busy on a
# cold machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# System packages: clang/libclang for RocksDB's bindings, Chromium for browser tests.
missing=()
command -v clang >/dev/null || missing+=(clang)
dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
command -v chromium >/dev/null || missing+=(chromium)
command -v brotli >/dev/null || missing+=(brotli)
command -v curl >/dev/null || missing+=(curl)
command -v 7z >/dev/null || missing+=(p7zip-full)  # opens encrypted exports in the tests
command -v node >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# clippy-driver compiles our own crates in every build (scripts/env.sh); rustfmt
# checks the layout in scripts/test.sh.
for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if [ "${1:-}" = "--system" ]; then
  say "system packages and Rust components ready"
  exit 0
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (several minutes the first time)"
  # Its release profile asks for fat LTO in one codegen unit: 29 minutes on two cores
  # (2026-12-02, cold). It only orchestrates our builds (the compilers and
  # wasm-bindgen do the work), so its own speed hardly matters: no LTO, parallel
  # codegen, no optimisation (config overrides the manifest's profile).
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
    CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install --locked cargo-leptos@0.3.10 --no-default-features --features no_downloads
fi

# wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${wb_version}$"; then
  say "installing wasm-bindgen-cli ${wb_version}"
  # Not --locked: its own lockfile pins a crate the registry no longer has.
  cargo install wasm-bindgen-cli --version "${wb_version}" --force
fi

# Node packages: Playwright (driving Debian's Chromium; it never downloads a browser)
# and binaryen 132 (Debian's wasm-opt 108 emits wasm that Chromium rejects).
if [ ! -f end2end/node_modules/.install-stamp ] || [ end2end/package-lock.json -nt end2end/node_modules/.install-stamp ]; then
  say "installing node packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent && touch node_modules/.install-stamp)
fi
# The independent protocol check (docs/verify_vectors.py) uses Python's cryptography.
if ! python3 -c 'import cryptography' 2>/dev/null; then
  say "installing the Python cryptography package"
  python3 -m pip install --quiet cryptography 2>/dev/null || as_root apt-get install -y -qq python3-cryptography >/dev/null
fi
# The message tests start a real SMTP server on 127.0.0.1 (aiosmtpd, server/tests/it/smtp_sink.py).
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
  say "installing the Python aiosmtpd package"
  python3 -m pip install --quiet aiosmtpd 2>/dev/null || as_root apt-get install -y -qq python3-aiosmtpd >/dev/null
fi
# The webhook tests verify every delivery with an independent Standard Webhooks
# implementation (server/tests/it/webhook_sink.py).
if ! python3 -c 'import standardwebhooks' 2>/dev/null; then
  say "installing the Python standardwebhooks package"
  python3 -m pip install --quiet standardwebhooks
fi
say "toolchain ready"
