//! Canonical bytes of signed objects: a domain-separation prefix followed by the
//! RFC 8785 (JSON Canonicalization Scheme) encoding of the object.
//!
//! Signed objects never contain floats, and integers stay within ±(2^53 − 1), so any
//! language's JCS implementation (or a plain sorted-key JSON writer) reproduces the
//! bytes. See docs/protocol.md.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// Which kind of object is encoded. The prefix stops a signature over one kind of
/// object from being replayed as another kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    FormVersion,
    Envelope,
    Receipt,
    /// A record of the console's audit log.
    Audit,
    /// The signed statement that a submission's answers were deleted.
    Tombstone,
    Challenge,
    /// A rectification (GDPR Art. 16) of one answer, linked to the original envelope.
    Correction,
    /// A personal link's request to open it (signed with the link's key).
    LinkOpen,
}

impl Domain {
    pub const fn prefix(self) -> &'static [u8] {
        match self {
            Domain::FormVersion => b"formseal/v1/form-version\n",
            Domain::Envelope => b"formseal/v1/envelope\n",
            Domain::Receipt => b"formseal/v1/receipt\n",
            Domain::Audit => b"formseal/v1/audit\n",
            Domain::Tombstone => b"formseal/v1/tombstone\n",
            Domain::Challenge => b"formseal/v1/challenge\n",
            Domain::Correction => b"formseal/v1/correction\n",
            Domain::LinkOpen => b"formseal/v1/link-open\n",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CanonicalError {
    #[error("numbers in signed objects must be integers; found {0}")]
    Float(String),
    #[error("integer {0} is outside ±(2^53 − 1)")]
    IntegerRange(String),
    #[error("cannot encode object: {0}")]
    Encode(String),
}

const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

fn check_numbers(value: &Value) -> Result<(), CanonicalError> {
    match value {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                if u > MAX_SAFE_INTEGER {
                    return Err(CanonicalError::IntegerRange(n.to_string()));
                }
            } else if let Some(i) = n.as_i64() {
                if i.unsigned_abs() > MAX_SAFE_INTEGER {
                    return Err(CanonicalError::IntegerRange(n.to_string()));
                }
            } else {
                return Err(CanonicalError::Float(n.to_string()));
            }
            Ok(())
        }
        Value::Array(items) => items.iter().try_for_each(check_numbers),
        Value::Object(map) => map.values().try_for_each(check_numbers),
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

/// RFC 8785 bytes of a JSON value (no prefix).
pub fn jcs(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    check_numbers(value)?;
    serde_jcs::to_vec(value).map_err(|e| CanonicalError::Encode(e.to_string()))
}

/// Prefix + RFC 8785 bytes of any serialisable object.
pub fn canonical_bytes<T: Serialize + ?Sized>(domain: Domain, object: &T) -> Result<Vec<u8>, CanonicalError> {
    let value = serde_json::to_value(object).map_err(|e| CanonicalError::Encode(e.to_string()))?;
    canonical_value_bytes(domain, &value)
}

pub fn canonical_value_bytes(domain: Domain, value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let body = jcs(value)?;
    let mut out = Vec::with_capacity(domain.prefix().len() + body.len());
    out.extend_from_slice(domain.prefix());
    out.extend_from_slice(&body);
    Ok(out)
}

pub fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256 of the canonical bytes, base64url without padding: how digests travel.
pub fn digest_b64(domain: Domain, value: &Value) -> Result<String, CanonicalError> {
    Ok(b64_encode(&digest(&canonical_value_bytes(domain, value)?)))
}

pub fn b64_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    // In the wasm32 build the same tests run under wasm-bindgen-test.
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn keys_are_sorted_and_whitespace_dropped() {
        let bytes = jcs(&json!({"b": 1, "a": [true, null, "x"], "é": "ü\n"})).unwrap();
        assert_eq!(String::from_utf8(bytes).unwrap(), "{\"a\":[true,null,\"x\"],\"b\":1,\"é\":\"ü\\n\"}");
    }

    #[test]
    fn floats_and_huge_integers_are_refused() {
        assert!(matches!(jcs(&json!({"x": 1.5})), Err(CanonicalError::Float(_))));
        assert!(matches!(jcs(&json!([9007199254740993u64])), Err(CanonicalError::IntegerRange(_))));
        assert!(jcs(&json!([9007199254740991u64, -9007199254740991i64])).is_ok());
    }

    #[test]
    fn prefix_separates_domains() {
        let v = json!({"a": 1});
        assert_ne!(digest_b64(Domain::Envelope, &v).unwrap(), digest_b64(Domain::Receipt, &v).unwrap());
        assert!(canonical_value_bytes(Domain::Receipt, &v).unwrap().starts_with(b"formseal/v1/receipt\n"));
    }

    #[test]
    fn base64url_has_no_padding() {
        assert_eq!(b64_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(b64_decode("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(b64_decode("-_8="), None);
    }
}
