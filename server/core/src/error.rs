//! The one error type of the server-side domain. Each variant knows its code (and
//! with it its HTTP status) and a message a person can read; internal details stay
//! in the log.

use formseal_model::{ErrorCode, FieldError, ProofError, ProtocolError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the answers are not valid")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Protocol(#[from] ProtocolError),
    #[error("{0}")]
    BadRequest(String),
    /// Signed input must be I-JSON: a member name twice is refused, never read last-wins.
    #[error("{0}")]
    DuplicateMember(#[from] formseal_model::ijson::DuplicateMember),
    /// The request's `Origin` (a browser page there sent it) is not one the form lists.
    #[error("a page on {0:?} may not send to this form: the form's embed origins do not list it")]
    OriginNotAllowed(String),
    #[error("the body must be JSON, sent with the header Content-Type: application/json")]
    UnsupportedMediaType,
    /// The address exists, the method does not: what it takes instead.
    #[error("this address does not take {method}; it takes {allowed}")]
    MethodNotAllowed { method: String, allowed: String },
    /// No route at all under a public prefix (`/api/…`, `/.well-known/…`).
    #[error("there is nothing at this address")]
    NoRoute,
    #[error("the address is longer than {0} bytes")]
    UriTooLong(usize),
    #[error("the request's headers are too large: at most {1} headers of {0} bytes in all are read")]
    HeadersTooLarge(usize, usize),
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("this nonce was already used for a different submission")]
    NonceReused,
    #[error("{0}")]
    Proof(#[from] ProofError),
    /// Looks automated (the honeypot was filled). Deliberately says nothing more.
    #[error("the submission was refused")]
    Refused,
    #[error("the form version {0} is not a published version of this form")]
    UnknownVersion(String),
    #[error("this form was changed after the page was loaded; please reload the page and submit again")]
    RetiredVersion,
    #[error("this form is no longer available")]
    Archived,
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    LinkClosed(LinkClosed),
    #[error("{0}")]
    Conflict(String),
    #[error("the form cannot be published yet: {} problem(s) to fix", .0.len())]
    Definition(Vec<formseal_model::definition::DefinitionProblem>),
    #[error("please log in")]
    Unauthenticated,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("the wrong user name or password")]
    BadCredentials,
    #[error("enter the 6-digit code from your authenticator app, or a recovery code")]
    SecondFactorRequired,
    /// The password was set by someone else (the first start, a reset): the
    /// account's holder must choose their own before anything else.
    #[error("please choose a new password before going on")]
    PasswordChangeRequired,
    #[error("too many requests; please wait {0} seconds")]
    RateLimited(u64),
    #[error("too many failed log-ins; please wait {0} minutes and try again")]
    TooManyAttempts(u64),
    #[error("the server is busy; please retry in a moment")]
    Busy,
    // Display carries the details for the log; clients get `public_message`.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why a personal link takes no (more) submissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkClosed {
    Expired,
    Revoked,
    /// A single-use link that was used.
    Used,
}

impl std::fmt::Display for LinkClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LinkClosed::Expired => "this link has expired",
            LinkClosed::Revoked => "this link was withdrawn by its sender",
            LinkClosed::Used => "this link was already used",
        })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status: the code's (each code has exactly one).
    pub fn status(&self) -> u16 {
        self.code().status()
    }

    /// The stable machine-readable code clients decide by.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Validation(_) => ErrorCode::InvalidAnswers,
            Error::Protocol(ProtocolError::SignatureMismatch) => ErrorCode::BadSignature,
            Error::Protocol(_) => ErrorCode::BadEnvelope,
            Error::BadRequest(_) | Error::DuplicateMember(_) => ErrorCode::BadRequest,
            Error::OriginNotAllowed(_) => ErrorCode::OriginNotAllowed,
            Error::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Error::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            Error::NoRoute => ErrorCode::NotFound,
            Error::UriTooLong(_) => ErrorCode::UriTooLong,
            Error::HeadersTooLarge(..) => ErrorCode::HeadersTooLarge,
            Error::TooLarge(_) => ErrorCode::TooLarge,
            Error::NonceReused => ErrorCode::NonceReused,
            // The widget fetches a new challenge and sends again on any `proof_` code.
            Error::Proof(ProofError::Missing) => ErrorCode::ProofRequired,
            Error::Proof(ProofError::Expired) => ErrorCode::ProofExpired,
            Error::Proof(ProofError::InsufficientWork) => ErrorCode::ProofInsufficient,
            Error::Proof(ProofError::Spent) => ErrorCode::ProofSpent,
            Error::Proof(ProofError::Malformed(_) | ProofError::BadSignature | ProofError::WrongForm) => {
                ErrorCode::ProofInvalid
            }
            Error::Refused => ErrorCode::Refused,
            Error::UnknownVersion(_) => ErrorCode::UnknownVersion,
            Error::RetiredVersion => ErrorCode::VersionRetired,
            Error::Archived => ErrorCode::FormArchived,
            Error::Gone(_) => ErrorCode::Gone,
            Error::LinkClosed(LinkClosed::Expired) => ErrorCode::LinkExpired,
            Error::LinkClosed(LinkClosed::Revoked) => ErrorCode::LinkRevoked,
            Error::LinkClosed(LinkClosed::Used) => ErrorCode::LinkUsed,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::Definition(_) => ErrorCode::InvalidDefinition,
            Error::Unauthenticated => ErrorCode::Unauthenticated,
            Error::BadCredentials => ErrorCode::BadCredentials,
            Error::SecondFactorRequired => ErrorCode::SecondFactorRequired,
            Error::PasswordChangeRequired => ErrorCode::PasswordChangeRequired,
            Error::Forbidden => ErrorCode::Forbidden,
            Error::RateLimited(_) => ErrorCode::RateLimited,
            Error::TooManyAttempts(_) => ErrorCode::TooManyAttempts,
            Error::Busy => ErrorCode::Busy,
            Error::Unavailable(_) => ErrorCode::Unavailable,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// What the client may see. Internal and database details are never included.
    pub fn public_message(&self) -> String {
        match self {
            Error::Internal(_) => "Something went wrong on our side. The error was logged.".into(),
            Error::Unavailable(_) => "The service is temporarily unavailable. Please retry shortly.".into(),
            other => {
                let text = other.to_string();
                let mut chars = text.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
                    None => text,
                }
            }
        }
    }

    pub fn is_server_fault(&self) -> bool {
        self.status() >= 500
    }
}

impl From<surrealdb::Error> for Error {
    fn from(e: surrealdb::Error) -> Self {
        Error::Internal(format!("database: {e}"))
    }
}
