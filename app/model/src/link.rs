//! Personal links: `/f/<link id>#<secret>`. The secret (the 32-byte seed of an
//! ed25519 key, base64url) lives only in the URL fragment, which browsers never
//! send to a server; the server keeps the public key. The link page signs two
//! things with it: the request to open the link (which hands out the prefill) and
//! the submission envelope (with `link` set). See docs/protocol.md.

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::{Domain, b64_decode, b64_encode};
use crate::signed::{ProtocolError, PublishedVersion, sign_object, verify_object};
use crate::validate::{Answers, FieldError, Problem};

/// The link's signing key from the secret in the URL fragment.
pub fn key_from_secret(secret: &str) -> Option<SigningKey> {
    let seed: [u8; 32] = b64_decode(secret.trim().trim_start_matches('#'))?.try_into().ok()?;
    Some(SigningKey::from_bytes(&seed))
}

/// The secret that goes into the fragment for a key's seed.
pub fn secret_of(key: &SigningKey) -> String {
    b64_encode(key.as_bytes())
}

pub fn public_key_of(key: &SigningKey) -> String {
    b64_encode(key.verifying_key().as_bytes())
}

/// What the link page signs to open a link: `formseal/v1/link-open`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkOpen {
    pub v: u32,
    pub link: String,
    /// The browser's clock, RFC 3339; the server accepts ±10 minutes.
    pub time: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedLinkOpen {
    pub open: LinkOpen,
    pub signature: String,
}

impl SignedLinkOpen {
    pub fn sign(link: &str, time: &str, key: &SigningKey) -> Result<Self, ProtocolError> {
        let open = LinkOpen { v: 1, link: link.to_owned(), time: time.to_owned() };
        let value = serde_json::to_value(&open).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        Ok(SignedLinkOpen { signature: sign_object(Domain::LinkOpen, &value, key)?, open })
    }

    pub fn verify(&self, key: &VerifyingKey) -> Result<(), ProtocolError> {
        let value = serde_json::to_value(&self.open).map_err(|e| ProtocolError::Malformed(e.to_string()))?;
        verify_object(Domain::LinkOpen, &value, &self.signature, key)
    }
}

/// What an opened link gives the page: the form, the prefill and which of its
/// answers are locked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub link: String,
    pub form: PublishedVersion,
    pub prefill: Answers,
    pub locked: Vec<String>,
    /// RFC 3339.
    pub expires_at: String,
    pub single_use: bool,
}

/// Locked prefill answers must arrive exactly as prefilled.
pub fn check_locked(prefill: &Answers, locked: &[String], answers: &Answers) -> Result<(), Vec<FieldError>> {
    let errors: Vec<FieldError> = locked
        .iter()
        .filter(|key| prefill.get(*key) != answers.get(*key))
        .map(|key| FieldError { field: key.clone(), problem: Problem::Locked })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The strokes of a drawn signature answer as an SVG drawing (no script, no text
/// from the answer: only numbers reach the markup). `None` for a typed signature.
pub fn signature_svg(answer: &Value) -> Option<String> {
    let strokes = answer.get("strokes")?.as_array()?;
    let points = |s: &Value| -> Vec<(i64, i64)> {
        s.as_array()
            .map(|pts| pts.iter().filter_map(|p| Some((p.get(0)?.as_i64()?, p.get(1)?.as_i64()?))).collect())
            .unwrap_or_default()
    };
    let all: Vec<Vec<(i64, i64)>> = strokes.iter().map(points).filter(|p| !p.is_empty()).collect();
    let xs = all.iter().flatten().map(|p| p.0);
    let ys = all.iter().flatten().map(|p| p.1);
    let (min_x, max_x) = (xs.clone().min()?, xs.max()?);
    let (min_y, max_y) = (ys.clone().min()?, ys.max()?);
    let pad = 4;
    let (w, h) = ((max_x - min_x + 2 * pad).max(1), (max_y - min_y + 2 * pad).max(1));
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{} {} {w} {h}\" width=\"{w}\" height=\"{h}\" \
         role=\"img\" aria-label=\"Signature\" class=\"signature-drawing\">",
        min_x - pad,
        min_y - pad
    );
    for stroke in &all {
        let list: Vec<String> = stroke.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let list = if list.len() == 1 { format!("{0} {0}", list[0]) } else { list.join(" ") };
        svg.push_str(&format!(
            "<polyline points=\"{list}\" fill=\"none\" stroke=\"#1b1f24\" stroke-width=\"2\" \
             stroke-linecap=\"round\" stroke-linejoin=\"round\"/>"
        ));
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use serde_json::json;

    #[test]
    fn an_open_request_verifies_only_with_the_link_key() {
        let key = SigningKey::from_bytes(&[5; 32]);
        let secret = secret_of(&key);
        assert_eq!(key_from_secret(&format!("#{secret}")).unwrap().as_bytes(), key.as_bytes());
        let open = SignedLinkOpen::sign("l1", "2026-11-27T10:00:00.000Z", &key).unwrap();
        open.verify(&key.verifying_key()).unwrap();
        assert!(open.verify(&SigningKey::from_bytes(&[6; 32]).verifying_key()).is_err());
        let mut other = open.clone();
        other.open.link = "l2".into();
        assert!(other.verify(&key.verifying_key()).is_err());
        assert!(key_from_secret("short").is_none());
    }

    #[test]
    fn locked_answers_must_stay_as_prefilled() {
        let prefill: Answers = [("customer".to_owned(), json!("K-1")), ("name".to_owned(), json!("Ada"))].into();
        let locked = vec!["customer".to_owned()];
        let mut answers = prefill.clone();
        answers.insert("name".into(), json!("Ada L."));
        assert_eq!(check_locked(&prefill, &locked, &answers), Ok(()));
        answers.insert("customer".into(), json!("K-2"));
        let errors = check_locked(&prefill, &locked, &answers).unwrap_err();
        assert_eq!(errors, vec![FieldError { field: "customer".into(), problem: Problem::Locked }]);
        answers.remove("customer");
        assert!(check_locked(&prefill, &locked, &answers).is_err());
    }

    #[test]
    fn strokes_become_an_svg_of_numbers_only() {
        let svg =
            signature_svg(&json!({"statement": "<b>", "strokes": [[[10, 10, 0], [30, 20, 5, 400]], [[5, 5, 9]]]}))
                .unwrap();
        assert!(svg.contains("points=\"10,10 30,20\""), "{svg}");
        assert!(svg.contains("points=\"5,5 5,5\""), "{svg}");
        assert!(!svg.contains("<b>"));
        assert!(signature_svg(&json!({"statement": "x", "typed": "Ada", "confirmed": true})).is_none());
    }
}
