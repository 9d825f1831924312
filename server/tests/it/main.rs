//! Integration tests of the whole server: real embedded SurrealDB, the real router
//! on a real loopback listener, and the real binary where start-up and crashes
//! matter. One test binary (link time).

mod accounts;
mod api;
mod common;
mod console;
mod designer;
mod durability;
mod embed;
mod faults;
mod fuzz;
mod permissions;
mod pow;
<<<<<<< HEAD
mod requests;
=======
mod replicas;
>>>>>>> 0002326 (Scale-out and faults: shared --key-dir for replicas (first key created under a lock), first start safe for replicas starting together; SurrealDB server built from the surrealdb-server crate for replica tests; kill -9 rounds on RocksDB and SurrealKV; a full disk answers 503 with Retry-After and the embedded database is reopened once space returns; conflict retries tested without a shared lock)
mod retention;
mod startup;
