//! A rectification (GDPR Art. 16): the corrected value of one answer, signed by the
//! instance key and linked to the original envelope by its digest. The visitor's
//! signed envelope is never rewritten: it stays what the visitor signed, and the
//! correction says what is right now, who asked, and why.

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::Domain;
use crate::signed::{ProtocolError, sign_object, verify_object};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub v: u32,
    pub submission: String,
    pub form: String,
    /// Digest of the original envelope.
    pub envelope: String,
    /// The answer's key.
    pub field: String,
    /// The corrected answer, in the same shape as in an envelope.
    pub value: Value,
    pub reason: String,
    /// The access request it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// Server time, RFC 3339 UTC with milliseconds.
    pub corrected_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCorrection {
    pub correction: Correction,
    pub key: String,
    pub signature: String,
}

impl SignedCorrection {
    pub fn sign(correction: Correction, key_id: &str, key: &SigningKey) -> Result<Self, ProtocolError> {
        let value = serde_json::to_value(&correction).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        let signature = sign_object(Domain::Correction, &value, key)?;
        Ok(SignedCorrection { correction, key: key_id.to_owned(), signature })
    }

    pub fn verify(&self, key: &VerifyingKey) -> Result<(), ProtocolError> {
        let value = serde_json::to_value(&self.correction).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        verify_object(Domain::Correction, &value, &self.signature, key)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_correction_verifies_and_tampering_shows() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let c = Correction {
            v: 1,
            submission: "s1".into(),
            form: "f".into(),
            envelope: "digest".into(),
            field: "email".into(),
            value: Value::String("new@example.org".into()),
            reason: "moved".into(),
            request: Some("r1".into()),
            corrected_at: "2026-12-27T10:00:00.000Z".into(),
        };
        let mut signed = SignedCorrection::sign(c, "k", &key).unwrap();
        assert!(signed.verify(&key.verifying_key()).is_ok());
        signed.correction.value = Value::String("other@example.org".into());
        assert!(signed.verify(&key.verifying_key()).is_err());
    }
}
