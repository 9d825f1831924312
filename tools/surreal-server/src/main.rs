//! The SurrealDB server, as the `surreal` binary runs it, built from the `surrealdb-server`
//! crate at the same version as Formseal's SurrealDB client. Used only by the scale-out tests
//! and benches (see docs/deploy.md and docs/performance.md); `surreal start` takes the usual
//! flags, e.g. `surreal start --bind 127.0.0.1:8000 --user root --pass root memory`.

// SurrealDB's async expression evaluation nests deeply; its own binary raises the limit too.
#![recursion_limit = "256"]

use std::process::ExitCode;

use surrealdb_server::core::CommunityComposer;

fn main() -> ExitCode {
    surrealdb_server::init(CommunityComposer())
}
