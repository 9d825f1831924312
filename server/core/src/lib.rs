//! Formseal's server-side domain: state, store, keys, and the operations the HTTP
//! handlers and the console's server functions call. No HTTP in here: handlers parse,
//! authorise, call one of these functions and map the [`Error`].

pub mod accounts;
pub mod audit;
mod chain_writer;
pub mod client;
pub mod cookies;
pub mod csv_file;
pub mod error;
pub mod export;
pub mod forms;
pub mod funnel;
pub mod keys;
pub mod links;
pub mod messages;
pub mod passwords;
pub mod permissions;
pub mod person_index;
pub mod pow;
pub mod random;
pub mod reader;
pub mod requests;
pub mod retention;
pub mod state;
pub mod store;
pub mod submissions;
pub mod texts;
pub mod throttle;
pub mod time;
pub mod two_factor;
pub mod verify;

pub use error::{Error, LinkClosed, Result};
pub use state::{AppState, Config};
