//! Signed objects: published form versions, submission envelopes and receipts.
//! docs/protocol.md is the normative description; this is its implementation.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::{CanonicalError, Domain, b64_decode, b64_encode, canonical_value_bytes, digest};
use crate::form::FormDef;
use crate::pow::Proof;
use crate::validate::Answers;

pub const PROTOCOL_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("{0}")]
    Canonical(#[from] CanonicalError),
    #[error("the public key is not a base64url ed25519 key")]
    BadPublicKey,
    #[error("the signature is not a base64url ed25519 signature")]
    BadSignatureEncoding,
    #[error("the signature does not match the envelope")]
    SignatureMismatch,
    #[error("the envelope is malformed: {0}")]
    Malformed(String),
}

/// What a visitor's browser signs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub v: u32,
    pub form: String,
    /// Digest of the published form version the visitor filled.
    pub version: String,
    pub answers: Answers,
    /// 16 random bytes, base64url; unique per form. A retry re-sends the same nonce.
    pub nonce: String,
    /// The browser's clock, RFC 3339. Informational: the receipt's time is the server's.
    pub client_time: String,
    /// Personal link id, when the envelope was signed with a link's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// The body of `POST /api/v1/forms/{id}/submissions`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionRequest {
    /// Kept as raw JSON: the signature covers the canonical bytes of exactly what was
    /// sent, and only then is it read as an [`Envelope`].
    pub envelope: Value,
    pub public_key: String,
    pub signature: String,
    /// The solved proof-of-work challenge. Outside the signed envelope on purpose:
    /// it says nothing about the answers, and an expired one can be replaced without
    /// signing again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<Proof>,
    /// The widget's honeypot field: people never see it, so it stays empty; form-
    /// filling robots tend to fill it. A request with text here is refused.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hp: String,
}

#[derive(Clone, Debug)]
pub struct VerifiedSubmission {
    pub envelope: Envelope,
    /// The envelope as it was signed, for storage.
    pub envelope_json: Value,
    /// SHA-256 of the canonical bytes, base64url.
    pub digest: String,
}

impl SubmissionRequest {
    /// Builds and signs a request: what the widget does in the browser.
    pub fn sign(envelope: &Envelope, key: &SigningKey) -> Result<Self, ProtocolError> {
        let value = serde_json::to_value(envelope).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        let signature = sign_object(Domain::Envelope, &value, key)?;
        Ok(SubmissionRequest {
            envelope: value,
            public_key: b64_encode(key.verifying_key().as_bytes()),
            signature,
            proof: None,
            hp: String::new(),
        })
    }

    /// Checks the signature (strictly: no malleable or small-order keys) over the
    /// canonical bytes, then reads the envelope.
    pub fn verify(&self) -> Result<VerifiedSubmission, ProtocolError> {
        let key = parse_public_key(&self.public_key)?;
        let bytes = canonical_value_bytes(Domain::Envelope, &self.envelope)?;
        verify_bytes(&bytes, &self.signature, &key)?;
        let envelope: Envelope =
            serde_json::from_value(self.envelope.clone()).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        if envelope.v != PROTOCOL_VERSION {
            return Err(ProtocolError::Malformed(format!("unsupported envelope version {}", envelope.v)));
        }
        let nonce_ok = b64_decode(&envelope.nonce).is_some_and(|n| (16..=64).contains(&n.len()));
        if !nonce_ok {
            return Err(ProtocolError::Malformed("nonce must be 16 to 64 bytes, base64url".into()));
        }
        if chrono::DateTime::parse_from_rfc3339(&envelope.client_time).is_err() {
            return Err(ProtocolError::Malformed("client_time must be an RFC 3339 time".into()));
        }
        Ok(VerifiedSubmission { envelope, envelope_json: self.envelope.clone(), digest: b64_encode(&digest(&bytes)) })
    }
}

/// The server's acknowledgement, signed with the instance key. Receipts of one form
/// form a hash chain through `previous`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub v: u32,
    pub submission: String,
    pub form: String,
    pub version: String,
    /// Digest of the envelope's canonical bytes.
    pub envelope: String,
    /// Server time, RFC 3339 UTC with milliseconds.
    pub received_at: String,
    /// 1 for the form's first receipt, then +1 each.
    pub sequence: u64,
    /// Digest of the previous receipt of this form; null for sequence 1.
    pub previous: Option<String>,
}

impl Receipt {
    pub fn digest(&self) -> Result<String, ProtocolError> {
        let value = serde_json::to_value(self).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        Ok(b64_encode(&digest(&canonical_value_bytes(Domain::Receipt, &value)?)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedReceipt {
    pub receipt: Receipt,
    /// Id of the instance key (see `/.well-known/formseal-keys.json`).
    pub key: String,
    pub signature: String,
}

impl SignedReceipt {
    pub fn sign(receipt: Receipt, key_id: &str, key: &SigningKey) -> Result<Self, ProtocolError> {
        let value = serde_json::to_value(&receipt).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        let signature = sign_object(Domain::Receipt, &value, key)?;
        Ok(SignedReceipt { receipt, key: key_id.to_owned(), signature })
    }

    pub fn verify(&self, key: &VerifyingKey) -> Result<(), ProtocolError> {
        let value = serde_json::to_value(&self.receipt).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        verify_object(Domain::Receipt, &value, &self.signature, key)
    }
}

/// A published, immutable form version as served to widgets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedVersion {
    /// Digest of the definition's canonical bytes: the version's id.
    pub version: String,
    pub definition: FormDef,
    pub key: String,
    pub signature: String,
}

impl PublishedVersion {
    pub fn sign(definition: FormDef, key_id: &str, key: &SigningKey) -> Result<Self, ProtocolError> {
        let value = serde_json::to_value(&definition).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        let bytes = canonical_value_bytes(Domain::FormVersion, &value)?;
        Ok(PublishedVersion {
            version: b64_encode(&digest(&bytes)),
            signature: b64_encode(&key.sign(&bytes).to_bytes()),
            definition,
            key: key_id.to_owned(),
        })
    }

    pub fn verify(&self, key: &VerifyingKey) -> Result<(), ProtocolError> {
        let value = serde_json::to_value(&self.definition).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        let bytes = canonical_value_bytes(Domain::FormVersion, &value)?;
        if b64_encode(&digest(&bytes)) != self.version {
            return Err(ProtocolError::SignatureMismatch);
        }
        verify_bytes(&bytes, &self.signature, key)
    }
}

/// Signs the canonical bytes of `value` in `domain`; returns the base64url signature.
pub fn sign_object(domain: Domain, value: &Value, key: &SigningKey) -> Result<String, ProtocolError> {
    let bytes = canonical_value_bytes(domain, value)?;
    Ok(b64_encode(&key.sign(&bytes).to_bytes()))
}

pub fn verify_object(domain: Domain, value: &Value, signature: &str, key: &VerifyingKey) -> Result<(), ProtocolError> {
    verify_bytes(&canonical_value_bytes(domain, value)?, signature, key)
}

fn verify_bytes(bytes: &[u8], signature: &str, key: &VerifyingKey) -> Result<(), ProtocolError> {
    let raw: [u8; 64] =
        b64_decode(signature).and_then(|s| s.try_into().ok()).ok_or(ProtocolError::BadSignatureEncoding)?;
    key.verify_strict(bytes, &Signature::from_bytes(&raw)).map_err(|_| ProtocolError::SignatureMismatch)
}

pub fn parse_public_key(text: &str) -> Result<VerifyingKey, ProtocolError> {
    let raw: [u8; 32] = b64_decode(text).and_then(|k| k.try_into().ok()).ok_or(ProtocolError::BadPublicKey)?;
    let key = VerifyingKey::from_bytes(&raw).map_err(|_| ProtocolError::BadPublicKey)?;
    if key.is_weak() {
        return Err(ProtocolError::BadPublicKey);
    }
    Ok(key)
}

/// A key's id: base64url of the first 9 bytes of SHA-256 of the raw public key.
pub fn key_id(key: &VerifyingKey) -> String {
    b64_encode(&digest(key.as_bytes())[..9])
}

#[cfg(test)]
mod tests {
    // In the wasm32 build the same tests run under wasm-bindgen-test.
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn envelope() -> Envelope {
        Envelope {
            v: 1,
            form: "contact".into(),
            version: "abc".into(),
            answers: [("name".to_owned(), json!("Ada"))].into(),
            nonce: b64_encode(&[7; 16]),
            client_time: "2026-11-27T10:00:00.000Z".into(),
            link: None,
        }
    }

    #[test]
    fn signed_request_verifies_and_tampering_fails() {
        let req = SubmissionRequest::sign(&envelope(), &key(1)).unwrap();
        let verified = req.verify().unwrap();
        assert_eq!(verified.envelope, envelope());

        let mut tampered = req.clone();
        tampered.envelope["answers"]["name"] = json!("Eve");
        assert_eq!(tampered.verify().unwrap_err(), ProtocolError::SignatureMismatch);

        let mut other_key = req.clone();
        other_key.public_key = b64_encode(key(2).verifying_key().as_bytes());
        assert_eq!(other_key.verify().unwrap_err(), ProtocolError::SignatureMismatch);
    }

    #[test]
    fn unknown_envelope_members_are_refused_even_when_signed() {
        let mut value = serde_json::to_value(envelope()).unwrap();
        value["extra"] = json!(1);
        let signature = sign_object(Domain::Envelope, &value, &key(1)).unwrap();
        let req = SubmissionRequest {
            envelope: value,
            public_key: b64_encode(key(1).verifying_key().as_bytes()),
            signature,
            proof: None,
            hp: String::new(),
        };
        assert!(matches!(req.verify(), Err(ProtocolError::Malformed(_))));
    }

    #[test]
    fn weak_keys_and_bad_encodings_are_refused() {
        // The identity point is a small-order key: signatures under it prove nothing.
        let identity = {
            let mut b = [0u8; 32];
            b[0] = 1;
            b64_encode(&b)
        };
        assert_eq!(parse_public_key(&identity).unwrap_err(), ProtocolError::BadPublicKey);
        assert_eq!(parse_public_key("not base64!").unwrap_err(), ProtocolError::BadPublicKey);
        let mut req = SubmissionRequest::sign(&envelope(), &key(1)).unwrap();
        req.signature = "AAAA".into();
        assert_eq!(req.verify().unwrap_err(), ProtocolError::BadSignatureEncoding);
    }

    #[test]
    fn receipt_signature_roundtrip() {
        let receipt = Receipt {
            v: 1,
            submission: "s1".into(),
            form: "contact".into(),
            version: "abc".into(),
            envelope: "def".into(),
            received_at: "2026-11-27T10:00:00.000Z".into(),
            sequence: 1,
            previous: None,
        };
        let signed = SignedReceipt::sign(receipt, "k", &key(3)).unwrap();
        signed.verify(&key(3).verifying_key()).unwrap();
        let mut forged = signed.clone();
        forged.receipt.sequence = 2;
        assert!(forged.verify(&key(3).verifying_key()).is_err());
    }

    #[test]
    fn published_version_is_content_addressed() {
        let form = crate::demo::contact_tracing();
        let a = PublishedVersion::sign(form.clone(), "k", &key(4)).unwrap();
        let b = PublishedVersion::sign(form.clone(), "k", &key(4)).unwrap();
        assert_eq!(a.version, b.version);
        a.verify(&key(4).verifying_key()).unwrap();
        let mut changed = form;
        changed.notice.retention_days = 31;
        assert_ne!(PublishedVersion::sign(changed, "k", &key(4)).unwrap().version, a.version);
    }
}
