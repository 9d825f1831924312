//! The length a console password must have: checked by the server, shown by the
//! console's forms (one number for both).

/// Current guidance (NIST SP 800-63B): length matters, composition rules do not.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer is refused before it is hashed (hashing cost grows with length).
pub const MAX_PASSWORD_CHARS: usize = 1000;
