//! The one error type of the console's server functions. It crosses the wire as
//! JSON with its code, so pages decide by [`ErrorCode`] (is the session gone? does
//! the log-in need the second factor?) and show [`ConsoleError::message`] to people;
//! no page looks at the wording.

use std::fmt;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

pub use formseal_model::ErrorCode;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleError {
    pub code: ErrorCode,
    /// For people: the domain error's public message, never internal details.
    pub message: String,
}

impl ConsoleError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ConsoleError { code, message: message.into() }
    }
}

impl fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConsoleError {}

impl FromServerFnError for ConsoleError {
    type Encoder = JsonEncoding;

    /// What the framework itself reports: a call that never reached the function's
    /// body (arguments it could not read), or one that never reached the server.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let code = match &value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => ErrorCode::BadRequest,
            // The server decodes only a call's arguments (its own answers are read
            // in the browser): there, the caller sent something unreadable.
            ServerFnErrorErr::Deserialization(_) if cfg!(feature = "ssr") => ErrorCode::BadRequest,
            ServerFnErrorErr::Request(_) => ErrorCode::Unavailable,
            ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::Registration(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Response(_) => ErrorCode::Internal,
        };
        ConsoleError::new(code, value.to_string())
    }
}
