//! The secret of a personal link that has reminders to come, sealed for the time
//! the server needs it (to put the link into a reminder) and no longer.
//!
//! XChaCha20-Poly1305 (RustCrypto) with a random 24-byte nonce per secret and the
//! link's id as associated data, so a sealed secret opens only for its own link.
//! The key is derived from the secret beside the instance keys
//! ([`crate::keys::KeyRing::link_seal_key`]): a database dump alone opens nothing.
//! Stored as base64url of `nonce ‖ ciphertext ‖ tag`.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use formseal_model::{b64_decode, b64_encode};

use crate::error::{Error, Result};

const NONCE: usize = 24;

fn cipher(key: &[u8; 32]) -> Result<XChaCha20Poly1305> {
    XChaCha20Poly1305::new_from_slice(key).map_err(|e| Error::Internal(format!("link seal key: {e}")))
}

fn associated(link_id: &str) -> Vec<u8> {
    format!("formseal link secret v1\0{link_id}").into_bytes()
}

/// Seals `secret` (the part of the link after `#`) for link `link_id`.
pub fn seal(key: &[u8; 32], link_id: &str, secret: &str) -> Result<String> {
    let nonce = crate::random::bytes::<NONCE>()?;
    let aad = associated(link_id);
    let sealed = cipher(key)?
        .encrypt(&XNonce::from(nonce), Payload { msg: secret.as_bytes(), aad: &aad })
        .map_err(|_| Error::Internal("could not seal a link secret".into()))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(b64_encode(&out))
}

/// The secret sealed by [`seal`] for `link_id`; an error if it was sealed for
/// another link, with another key, or altered.
pub fn open(key: &[u8; 32], link_id: &str, sealed: &str) -> Result<String> {
    let refused = || Error::Internal(format!("the sealed secret of link {link_id} does not open"));
    let bytes = b64_decode(sealed).ok_or_else(refused)?;
    let (nonce, body) = bytes.split_at_checked(NONCE).ok_or_else(refused)?;
    let nonce: [u8; NONCE] = nonce.try_into().map_err(|_| refused())?;
    let aad = associated(link_id);
    let secret = cipher(key)?.decrypt(&XNonce::from(nonce), Payload { msg: body, aad: &aad }).map_err(|_| refused())?;
    String::from_utf8(secret).map_err(|_| refused())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_for_its_link_with_its_key() {
        let key = [7u8; 32];
        let sealed = seal(&key, "link-a", "the-secret").unwrap();
        assert!(!sealed.contains("the-secret"));
        assert_eq!(open(&key, "link-a", &sealed).unwrap(), "the-secret");
        // A fresh nonce each time: the same secret seals differently.
        assert_ne!(seal(&key, "link-a", "the-secret").unwrap(), sealed);
        assert!(open(&key, "link-b", &sealed).is_err(), "another link");
        assert!(open(&[8u8; 32], "link-a", &sealed).is_err(), "another key");
        let mut bytes = b64_decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(open(&key, "link-a", &b64_encode(&bytes)).is_err(), "altered");
        assert!(open(&key, "link-a", "short").is_err());
    }

    #[test]
    fn the_key_is_derived_from_the_instance_secret_and_stable() {
        let ring = crate::keys::KeyRing::ephemeral().unwrap();
        let key = ring.link_seal_key().unwrap();
        assert_eq!(key, ring.link_seal_key().unwrap());
        assert_ne!(&key, ring.search_secret(), "its own key, not the search secret");
        assert_ne!(key, crate::keys::KeyRing::ephemeral().unwrap().link_seal_key().unwrap());
    }
}
