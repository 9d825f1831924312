//! Integration tests of the whole server: real embedded SurrealDB, the real router
//! on a real loopback listener, and the real binary where start-up and crashes
//! matter. One test binary (link time).

// A panic is how a test fails; what a test skipped, or the seed it used, goes to
// stderr, where `cargo test` shows it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

mod accounts;
mod api;
mod calculations;
mod common;
mod console;
mod designer;
mod durability;
mod edge;
mod embed;
mod exports;
mod faults;
mod floods;
mod funnel;
mod fuzz;
mod link_mail;
mod links;
mod logic;
mod messages;
mod passwords;
mod permissions;
mod pow;
mod proxies;
mod reader;
mod replicas;
mod requests;
mod retention;
mod sink;
mod startup;
mod verify;
mod webhooks;
