//! The person index: keyed hashes (HMAC-SHA-256 with a server secret) of the
//! normalised e-mail addresses, phone numbers and name + birth date of each
//! submission (see [`formseal_model::person`]). The index finds one person across
//! every form and version in one indexed lookup per key, and reading it alone
//! reveals no value: without the secret a token cannot be tested against guesses.
//! Tokens are written with the submission and deleted with its answers.

use formseal_model::b64_encode;
use formseal_model::person::PersonKey;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::keys::KeyRing;

pub fn token(keys: &KeyRing, key: &PersonKey) -> Result<String> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(keys.search_secret())
        .map_err(|e| Error::Internal(format!("person index key: {e}")))?;
    mac.update(&key.hash_input());
    Ok(b64_encode(&mac.finalize().into_bytes()))
}

pub fn tokens(keys: &KeyRing, person: &[PersonKey]) -> Result<Vec<String>> {
    let mut out = person.iter().map(|k| token(keys, k)).collect::<Result<Vec<_>>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use formseal_model::person::{KeyKind, lookup_keys};

    use super::*;

    #[test]
    fn tokens_are_keyed_and_stable() {
        let ring = KeyRing::ephemeral().unwrap();
        let other = KeyRing::ephemeral().unwrap();
        let key = PersonKey { kind: KeyKind::Email, value: "anna@example.org".into() };
        let t = token(&ring, &key).unwrap();
        assert_eq!(t, token(&ring, &key).unwrap());
        assert_ne!(t, token(&other, &key).unwrap(), "another secret, another token");
        assert!(!t.contains("anna"));
        let looked_up = lookup_keys(" ANNA@example.org", "", "", "", None);
        assert_eq!(tokens(&ring, &looked_up).unwrap(), vec![t]);
    }
}
