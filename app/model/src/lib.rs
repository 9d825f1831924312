//! The pure form model of Formseal.
//!
//! Everything here is plain data and pure functions: no IO, no clock, no randomness.
//! The widget (wasm32), the console and the server all link this crate, so there is
//! exactly one definition of "a valid submission" and one of "the signed bytes".

pub mod access_report;
pub mod address;
pub mod answer;
pub mod audit_action;
pub mod calculation;
pub mod canonical;
pub mod copy;
pub mod correction;
pub mod definition;
pub mod demo;
pub mod diff;
pub mod error_code;
pub mod export;
pub mod form;
pub mod funnel;
pub mod ijson;
pub mod lang;
pub mod link;
pub mod logic;
pub mod overview;
pub mod password;
pub mod person;
pub mod phone;
pub mod pow;
pub mod reader;
pub mod role;
pub mod signed;
pub mod templates;
pub mod text;
pub mod texts;
pub mod tombstone;
pub mod validate;

pub use calculation::{Exact, Formula};
pub use canonical::{Domain, b64_decode, b64_encode, canonical_bytes, digest, digest_b64};
pub use error_code::ErrorCode;
pub use form::{
    ChoiceDisplay, ChoiceOption, Controller, DataClass, DateBound, Field, FieldKind, FormDef, LegalBasis, MatrixRow,
    Notice, TextPattern, Theme,
};
pub use lang::Lang;
pub use logic::{Condition, Jump, JumpTarget};
pub use password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
pub use pow::{Challenge, CheckedProof, Proof, ProofError, SignedChallenge};
pub use role::Role;
pub use signed::{
    Envelope, ProtocolError, PublishedVersion, Receipt, SignedReceipt, SubmissionRequest, VerifiedSubmission, key_id,
    sign_object, verify_object,
};
pub use text::LocalText;
pub use validate::{Answers, FieldError, Problem, ValidationContext, check_field, normalize, validate};
