//! Proof of work against spam, without third parties: the server hands out signed,
//! expiring challenges; the visitor's browser finds a solution while they type; the
//! server checks it with one signature and two SHA-256 hashes and refuses reuse.
//!
//! The work: find bytes `s` so that SHA-256(id || s) starts with `difficulty` zero
//! bits, where `id` = digest(challenge, challenge). Expected cost 2^difficulty hashes
//! for the browser, one for the server. docs/protocol.md is the normative text.

use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::canonical::{Domain, b64_decode, b64_encode, canonical_bytes, digest};
use crate::signed::{sign_object, verify_object};

/// More than this is never asked for: 2^32 hashes would take a phone hours.
pub const MAX_DIFFICULTY: u32 = 32;

/// What the server signs. Members are the protocol; do not add any without a new `v`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    pub v: u32,
    pub form: String,
    /// 16 random bytes, base64url: makes every challenge (and so its work) unique.
    pub salt: String,
    /// Leading zero bits the solution's hash needs.
    pub difficulty: u32,
    /// RFC 3339 UTC; after it the challenge is refused.
    pub expires: String,
}

/// `GET /api/v1/forms/{id}/challenge` answers with this.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedChallenge {
    pub challenge: Challenge,
    /// Id of the instance key that signed it.
    pub key: String,
    pub signature: String,
}

/// A solved challenge, sent as `proof` next to the signed envelope (not inside it:
/// the visitor can get a new proof for the same signed answers if one expires).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    pub challenge: Challenge,
    pub key: String,
    pub signature: String,
    /// The bytes found, base64url (the widget sends an 8-byte big-endian counter).
    pub solution: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum ProofError {
    #[error("a proof of work is required; fetch a challenge first")]
    Missing,
    #[error("the proof of work is malformed: {0}")]
    Malformed(String),
    #[error("the challenge was not issued by this server")]
    BadSignature,
    #[error("the challenge is for another form")]
    WrongForm,
    #[error("the challenge has expired; fetch a new one")]
    Expired,
    #[error("the proof of work does not reach the challenge's difficulty")]
    InsufficientWork,
    #[error("this challenge was already used for another submission")]
    Spent,
}

/// A proof that passed every check that needs no database: what remains is to make
/// sure it is spent only once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedProof {
    /// digest(challenge, challenge), base64url: the challenge's id.
    pub id: String,
    pub expires: DateTime<Utc>,
}

impl Challenge {
    /// The 32 bytes the work is done on: SHA-256 of the canonical challenge.
    pub fn work_input(&self) -> Result<[u8; 32], ProofError> {
        let bytes = canonical_bytes(Domain::Challenge, self).map_err(|e| ProofError::Malformed(e.to_string()))?;
        Ok(digest(&bytes))
    }

    pub fn expires_at(&self) -> Result<DateTime<Utc>, ProofError> {
        DateTime::parse_from_rfc3339(&self.expires)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| ProofError::Malformed("expires must be an RFC 3339 time".into()))
    }
}

impl SignedChallenge {
    pub fn sign(challenge: Challenge, key_id: &str, key: &SigningKey) -> Result<Self, ProofError> {
        let value = serde_json::to_value(&challenge).map_err(|e| ProofError::Malformed(e.to_string()))?;
        let signature =
            sign_object(Domain::Challenge, &value, key).map_err(|e| ProofError::Malformed(e.to_string()))?;
        Ok(SignedChallenge { challenge, key: key_id.to_owned(), signature })
    }

    /// Attaches a solution found with [`solve`].
    pub fn prove(self, counter: u64) -> Proof {
        Proof {
            challenge: self.challenge,
            key: self.key,
            signature: self.signature,
            solution: b64_encode(&counter.to_be_bytes()),
        }
    }
}

impl Proof {
    /// Everything but reuse: form, expiry, work, then the signature (the one costly
    /// step comes last, so junk is turned away for the price of two hashes).
    pub fn check(
        &self,
        form_id: &str,
        now: DateTime<Utc>,
        key: impl Fn(&str) -> Option<VerifyingKey>,
    ) -> Result<CheckedProof, ProofError> {
        let c = &self.challenge;
        if c.v != 1 {
            return Err(ProofError::Malformed(format!("unsupported challenge version {}", c.v)));
        }
        if c.difficulty > MAX_DIFFICULTY {
            return Err(ProofError::Malformed("difficulty out of range".into()));
        }
        if c.form != form_id {
            return Err(ProofError::WrongForm);
        }
        let expires = c.expires_at()?;
        if now >= expires {
            return Err(ProofError::Expired);
        }
        let solution = b64_decode(&self.solution)
            .filter(|s| (1..=32).contains(&s.len()))
            .ok_or_else(|| ProofError::Malformed("solution must be 1 to 32 bytes, base64url".into()))?;
        let input = c.work_input()?;
        if !verify_work(&input, &solution, c.difficulty) {
            return Err(ProofError::InsufficientWork);
        }
        let key = key(&self.key).ok_or(ProofError::BadSignature)?;
        let value = serde_json::to_value(c).map_err(|e| ProofError::Malformed(e.to_string()))?;
        verify_object(Domain::Challenge, &value, &self.signature, &key).map_err(|_| ProofError::BadSignature)?;
        Ok(CheckedProof { id: b64_encode(&input), expires })
    }
}

/// Leading zero bits of a hash.
pub fn leading_zero_bits(hash: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in hash {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

/// Whether SHA-256(input || solution) starts with `difficulty` zero bits.
pub fn verify_work(input: &[u8; 32], solution: &[u8], difficulty: u32) -> bool {
    let hash = Sha256::new().chain_update(input).chain_update(solution).finalize();
    leading_zero_bits(&hash) >= difficulty
}

/// Tries the counters `start .. start + count` (as 8-byte big-endian solutions) and
/// returns the first that does the work. The browser calls it in slices, yielding to
/// the page in between, so typing stays smooth.
pub fn solve(input: &[u8; 32], difficulty: u32, start: u64, count: u64) -> Option<u64> {
    // The input is the same for every try: hash it once, then clone the state.
    let prefix = Sha256::new().chain_update(input);
    (start..start.saturating_add(count)).find(|counter| {
        let hash = prefix.clone().chain_update(counter.to_be_bytes()).finalize();
        leading_zero_bits(&hash) >= difficulty
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[9; 32])
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap()
    }

    fn challenge(difficulty: u32) -> SignedChallenge {
        let c = Challenge {
            v: 1,
            form: "contact".into(),
            salt: b64_encode(&[5; 16]),
            difficulty,
            expires: "2026-11-27T10:10:00.000Z".into(),
        };
        SignedChallenge::sign(c, "k", &key()).unwrap()
    }

    fn solved(difficulty: u32) -> Proof {
        let signed = challenge(difficulty);
        let counter = solve(&signed.challenge.work_input().unwrap(), difficulty, 0, u64::MAX).unwrap();
        signed.prove(counter)
    }

    fn lookup(id: &str) -> Option<VerifyingKey> {
        (id == "k").then(|| key().verifying_key())
    }

    #[test]
    fn zero_bits_are_counted_across_bytes() {
        assert_eq!(leading_zero_bits(&[0xff]), 0);
        assert_eq!(leading_zero_bits(&[0x00, 0x01]), 15);
        assert_eq!(leading_zero_bits(&[0x00, 0x00, 0x80]), 16);
        assert_eq!(leading_zero_bits(&[0; 4]), 32);
    }

    #[test]
    fn a_solution_verifies_and_is_found_in_slices() {
        let proof = solved(12);
        let checked = proof.check("contact", now(), lookup).unwrap();
        assert_eq!(checked.id, b64_encode(&proof.challenge.work_input().unwrap()));
        // Slicing finds the same first solution as one long run.
        let input = proof.challenge.work_input().unwrap();
        let whole = solve(&input, 12, 0, u64::MAX).unwrap();
        let sliced = (0..).step_by(1000).find_map(|start| solve(&input, 12, start, 1000)).unwrap();
        assert_eq!(whole, sliced);
        assert!(verify_work(&input, &whole.to_be_bytes(), 12));
    }

    #[test]
    fn each_check_refuses_what_it_should() {
        let good = solved(12);
        assert_eq!(good.check("other", now(), lookup), Err(ProofError::WrongForm));
        assert_eq!(good.check("contact", now() + chrono::Duration::minutes(10), lookup), Err(ProofError::Expired));

        // Too little work: a counter whose hash has fewer zero bits.
        let input = good.challenge.work_input().unwrap();
        let weak = (0u64..).find(|c| !verify_work(&input, &c.to_be_bytes(), 12)).unwrap();
        let lazy = Proof { solution: b64_encode(&weak.to_be_bytes()), ..good.clone() };
        assert_eq!(lazy.check("contact", now(), lookup), Err(ProofError::InsufficientWork));

        // Lowering the difficulty breaks the signature.
        let mut cheap = good.clone();
        cheap.challenge.difficulty = 0;
        assert_eq!(cheap.check("contact", now(), lookup), Err(ProofError::BadSignature));
        // A later expiry changes the work input, so the old solution (almost surely)
        // no longer fits; if it did, the signature would still refuse it.
        let mut later = good.clone();
        later.challenge.expires = "2026-11-28T10:10:00.000Z".into();
        assert!(matches!(
            later.check("contact", now(), lookup),
            Err(ProofError::InsufficientWork | ProofError::BadSignature)
        ));

        let unknown_key = Proof { key: "other".into(), ..good.clone() };
        assert_eq!(unknown_key.check("contact", now(), lookup), Err(ProofError::BadSignature));
        let no_solution = Proof { solution: String::new(), ..good };
        assert!(matches!(no_solution.check("contact", now(), lookup), Err(ProofError::Malformed(_))));
    }

    #[test]
    fn difficulty_zero_needs_no_work_but_a_signed_challenge() {
        let proof = challenge(0).prove(0);
        proof.check("contact", now(), lookup).unwrap();
        let forged = Proof { signature: b64_encode(&[0; 64]), ..proof };
        assert_eq!(forged.check("contact", now(), lookup), Err(ProofError::BadSignature));
    }
}
