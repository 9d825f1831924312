//! The machine-readable codes of errors, shared by the server, the console and the
//! widget's API. Clients decide by code, never by the wording of a message (which
//! is for people and may change). The strings are part of the public API: they
//! never change once released.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    InvalidAnswers,
    BadSignature,
    BadEnvelope,
    /// The request itself is wrong: a value the person entered, or arguments a
    /// caller sent that cannot be read.
    BadRequest,
    TooLarge,
    NonceReused,
    // The widget fetches a new challenge and sends again on any `proof_` code.
    ProofRequired,
    ProofExpired,
    ProofInsufficient,
    ProofSpent,
    ProofInvalid,
    Refused,
    UnknownVersion,
    VersionRetired,
    FormArchived,
    Gone,
    LinkExpired,
    LinkRevoked,
    LinkUsed,
    Conflict,
    InvalidDefinition,
    Unauthenticated,
    BadCredentials,
    /// The password was right; the log-in needs the authenticator or a recovery code.
    SecondFactorRequired,
    /// The account's password was set by someone else (first start, a reset): the
    /// person must choose their own before anything else works.
    PasswordChangeRequired,
    Forbidden,
    /// A browser page on an origin the form does not list sent to it.
    OriginNotAllowed,
    /// The address exists but does not take this method.
    MethodNotAllowed,
    /// A body that is not `application/json` where JSON is read.
    UnsupportedMediaType,
    UriTooLong,
    HeadersTooLarge,
    RateLimited,
    TooManyAttempts,
    Busy,
    /// The service (or, seen from a browser, the way to it) is briefly unavailable.
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 37] = [
        ErrorCode::NotFound,
        ErrorCode::InvalidAnswers,
        ErrorCode::BadSignature,
        ErrorCode::BadEnvelope,
        ErrorCode::BadRequest,
        ErrorCode::TooLarge,
        ErrorCode::NonceReused,
        ErrorCode::ProofRequired,
        ErrorCode::ProofExpired,
        ErrorCode::ProofInsufficient,
        ErrorCode::ProofSpent,
        ErrorCode::ProofInvalid,
        ErrorCode::Refused,
        ErrorCode::UnknownVersion,
        ErrorCode::VersionRetired,
        ErrorCode::FormArchived,
        ErrorCode::Gone,
        ErrorCode::LinkExpired,
        ErrorCode::LinkRevoked,
        ErrorCode::LinkUsed,
        ErrorCode::Conflict,
        ErrorCode::InvalidDefinition,
        ErrorCode::Unauthenticated,
        ErrorCode::BadCredentials,
        ErrorCode::SecondFactorRequired,
        ErrorCode::PasswordChangeRequired,
        ErrorCode::Forbidden,
        ErrorCode::OriginNotAllowed,
        ErrorCode::MethodNotAllowed,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::UriTooLong,
        ErrorCode::HeadersTooLarge,
        ErrorCode::RateLimited,
        ErrorCode::TooManyAttempts,
        ErrorCode::Busy,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidAnswers => "invalid_answers",
            ErrorCode::BadSignature => "bad_signature",
            ErrorCode::BadEnvelope => "bad_envelope",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::NonceReused => "nonce_reused",
            ErrorCode::ProofRequired => "proof_required",
            ErrorCode::ProofExpired => "proof_expired",
            ErrorCode::ProofInsufficient => "proof_insufficient",
            ErrorCode::ProofSpent => "proof_spent",
            ErrorCode::ProofInvalid => "proof_invalid",
            ErrorCode::Refused => "refused",
            ErrorCode::UnknownVersion => "unknown_version",
            ErrorCode::VersionRetired => "version_retired",
            ErrorCode::FormArchived => "form_archived",
            ErrorCode::Gone => "gone",
            ErrorCode::LinkExpired => "link_expired",
            ErrorCode::LinkRevoked => "link_revoked",
            ErrorCode::LinkUsed => "link_used",
            ErrorCode::Conflict => "conflict",
            ErrorCode::InvalidDefinition => "invalid_definition",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::BadCredentials => "bad_credentials",
            ErrorCode::SecondFactorRequired => "second_factor_required",
            ErrorCode::PasswordChangeRequired => "password_change_required",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::OriginNotAllowed => "origin_not_allowed",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::Busy => "busy",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status that goes with the code: one per code, so a client that only
    /// has the code (the console's error body) knows the status too.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            NotFound => 404,
            InvalidAnswers | InvalidDefinition => 422,
            BadSignature | BadEnvelope | BadRequest | Refused => 400,
            ProofRequired | ProofExpired | ProofInsufficient | ProofInvalid => 400,
            TooLarge => 413,
            NonceReused | ProofSpent | UnknownVersion | Conflict => 409,
            VersionRetired | FormArchived | Gone | LinkExpired | LinkRevoked | LinkUsed => 410,
            Unauthenticated | BadCredentials | SecondFactorRequired => 401,
            Forbidden | PasswordChangeRequired | OriginNotAllowed => 403,
            MethodNotAllowed => 405,
            UnsupportedMediaType => 415,
            UriTooLong => 414,
            HeadersTooLarge => 431,
            RateLimited | TooManyAttempts => 429,
            Busy | Unavailable => 503,
            Internal => 500,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code this version does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown error code {0:?}")]
pub struct UnknownCode(pub String);

impl FromStr for ErrorCode {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| UnknownCode(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_are_the_stable_strings_and_parse_back() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(code.as_str()));
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code));
            assert!((400..600).contains(&code.status()), "{code}");
        }
        assert!("please_log_in".parse::<ErrorCode>().is_err());
    }

    #[test]
    fn every_code_is_in_the_protocols_table_with_its_status() {
        let doc = include_str!("../../../docs/protocol.md");
        for code in ErrorCode::ALL {
            let row = format!("| {} | `{}` |", code.status(), code.as_str());
            assert!(doc.contains(&row), "docs/protocol.md lacks the row {row}");
        }
    }
}
