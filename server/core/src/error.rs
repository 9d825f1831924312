//! The one error type of the server-side domain. Each variant knows its HTTP status
//! and a message a person can read; internal details stay in the log.

use formseal_model::{FieldError, ProofError, ProtocolError};

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
    #[error("too many requests; please wait {0} seconds")]
    RateLimited(u64),
    #[error("too many failed log-ins; please wait {0} minutes and try again")]
    TooManyAttempts(u64),
    #[error("the database is busy; please retry")]
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
    pub fn status(&self) -> u16 {
        match self {
            Error::NotFound(_) => 404,
            Error::Validation(_) => 422,
            Error::Protocol(_) | Error::BadRequest(_) => 400,
            Error::TooLarge(_) => 413,
            Error::NonceReused => 409,
            Error::Proof(ProofError::Spent) => 409,
            Error::Proof(_) | Error::Refused => 400,
            Error::UnknownVersion(_) | Error::Conflict(_) => 409,
            Error::RetiredVersion | Error::Archived | Error::Gone(_) | Error::LinkClosed(_) => 410,
            Error::Definition(_) => 422,
            Error::Unauthenticated | Error::BadCredentials | Error::SecondFactorRequired => 401,
            Error::Forbidden => 403,
            Error::RateLimited(_) | Error::TooManyAttempts(_) => 429,
            Error::Busy | Error::Unavailable(_) => 503,
            Error::Internal(_) => 500,
        }
    }

    /// A short machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "not_found",
            Error::Validation(_) => "invalid_answers",
            Error::Protocol(ProtocolError::SignatureMismatch) => "bad_signature",
            Error::Protocol(_) => "bad_envelope",
            Error::BadRequest(_) => "bad_request",
            Error::TooLarge(_) => "too_large",
            Error::NonceReused => "nonce_reused",
            // The widget fetches a new challenge and sends again on any `proof_` code.
            Error::Proof(ProofError::Missing) => "proof_required",
            Error::Proof(ProofError::Expired) => "proof_expired",
            Error::Proof(ProofError::InsufficientWork) => "proof_insufficient",
            Error::Proof(ProofError::Spent) => "proof_spent",
            Error::Proof(ProofError::Malformed(_) | ProofError::BadSignature | ProofError::WrongForm) => {
                "proof_invalid"
            }
            Error::Refused => "refused",
            Error::UnknownVersion(_) => "unknown_version",
            Error::RetiredVersion => "version_retired",
            Error::Archived => "form_archived",
            Error::Gone(_) => "gone",
            Error::LinkClosed(LinkClosed::Expired) => "link_expired",
            Error::LinkClosed(LinkClosed::Revoked) => "link_revoked",
            Error::LinkClosed(LinkClosed::Used) => "link_used",
            Error::Conflict(_) => "conflict",
            Error::Definition(_) => "invalid_definition",
            Error::Unauthenticated => "unauthenticated",
            Error::BadCredentials => "bad_credentials",
            Error::SecondFactorRequired => "second_factor_required",
            Error::Forbidden => "forbidden",
            Error::RateLimited(_) => "rate_limited",
            Error::TooManyAttempts(_) => "too_many_attempts",
            Error::Busy => "busy",
            Error::Unavailable(_) => "unavailable",
            Error::Internal(_) => "internal",
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
