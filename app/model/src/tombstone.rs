//! What remains when a submission's answers are deleted (retention or erasure): a
//! statement signed by the instance key that this submission, with this envelope
//! digest, was deleted, why and when. The receipt stays, so the chain still
//! verifies; the tombstone proves the deletion.

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::canonical::Domain;
use crate::signed::{ProtocolError, sign_object, verify_object};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    pub v: u32,
    pub submission: String,
    pub form: String,
    /// Digest of the deleted envelope (the receipt names the same).
    pub envelope: String,
    /// `retention` or `erasure`.
    pub reason: String,
    /// The access or erasure request, for `erasure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// Server time, RFC 3339 UTC with milliseconds.
    pub deleted_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTombstone {
    pub tombstone: Tombstone,
    pub key: String,
    pub signature: String,
}

impl SignedTombstone {
    pub fn sign(tombstone: Tombstone, key_id: &str, key: &SigningKey) -> Result<Self, ProtocolError> {
        let value = serde_json::to_value(&tombstone).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        let signature = sign_object(Domain::Tombstone, &value, key)?;
        Ok(SignedTombstone { tombstone, key: key_id.to_owned(), signature })
    }

    pub fn verify(&self, key: &VerifyingKey) -> Result<(), ProtocolError> {
        let value = serde_json::to_value(&self.tombstone).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        verify_object(Domain::Tombstone, &value, &self.signature, key)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_tombstone_verifies_and_tampering_shows() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let t = Tombstone {
            v: 1,
            submission: "s1".into(),
            form: "f".into(),
            envelope: "digest".into(),
            reason: "retention".into(),
            request: None,
            deleted_at: "2026-12-27T10:00:00.000Z".into(),
        };
        let mut signed = SignedTombstone::sign(t, "k", &key).unwrap();
        assert!(signed.verify(&key.verifying_key()).is_ok());
        signed.tombstone.reason = "erasure".into();
        assert!(signed.verify(&key.verifying_key()).is_err());
    }
}
