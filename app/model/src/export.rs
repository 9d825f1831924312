//! Exports of one form's submissions, and their verification with nothing but the
//! instance's public keys (`/.well-known/formseal-keys.json`).
//!
//! The JSON export ([`ExportDoc`]) carries every signed object Formseal keeps for the
//! form: its published versions, each submission's envelope as the visitor signed it
//! (while the answers are still held), every receipt, and the tombstone of every
//! deletion. [`verify_export`] checks all of them and the receipt chain, offline; the
//! server checks its store with the same [`ChainCheck`], so there is one definition
//! of "intact". See docs/exports.md and the verification section of docs/protocol.md.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::correction::SignedCorrection;
use crate::form::{DataClass, FieldKind, FormDef};
use crate::reader::FormAccess;
use crate::signed::{PublishedVersion, SignedReceipt, SubmissionRequest, key_id, parse_public_key};
use crate::tombstone::SignedTombstone;

/// The `format` member of a JSON export.
pub const EXPORT_FORMAT: &str = "formseal-export/v1";

/// A JSON export of one form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportDoc {
    /// [`EXPORT_FORMAT`].
    pub format: String,
    pub form: String,
    pub title: String,
    /// Server time of the export, RFC 3339 UTC.
    pub exported_at: String,
    /// Compact: answers of fields classed "not personal" only, without envelopes
    /// (their signatures cover all answers, so they cannot be shown in part).
    pub compact: bool,
    /// Every published version of the form, as signed by the instance key.
    pub versions: Vec<PublishedVersion>,
    /// In chain order (sequence 1, 2, 3, …).
    pub submissions: Vec<ExportedSubmission>,
    /// The form's chain head when the export was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<ChainHead>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub sequence: u64,
    /// Digest of the last receipt.
    pub digest: String,
}

/// One submission in an export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportedSubmission {
    pub id: String,
    pub sequence: u64,
    pub received_at: String,
    /// Digest of the form version answered.
    pub version: String,
    /// The answers by field key (in a full export the same as the envelope's);
    /// absent once deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<serde_json::Map<String, Value>>,
    /// Full exports: the envelope exactly as signed, the visitor's key and signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    pub receipt: SignedReceipt,
    /// The signed statement of deletion, once the answers are gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tombstone: Option<SignedTombstone>,
    /// Full exports: rectifications (Art. 16), each signed by an instance key and
    /// naming the envelope it corrects. They are deleted with the answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<SignedCorrection>,
}

/// `/.well-known/formseal-keys.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeys {
    pub keys: Vec<PublicKeyInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeyInfo {
    pub id: String,
    pub algorithm: String,
    pub public_key: String,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub active: bool,
}

/// Instance keys by id, each checked to be a strong ed25519 key with the id it claims.
#[derive(Clone, Debug, Default)]
pub struct KeySet(BTreeMap<String, VerifyingKey>);

impl KeySet {
    pub fn from_public(keys: &PublicKeys) -> Result<KeySet, String> {
        let mut set = BTreeMap::new();
        for k in &keys.keys {
            if k.algorithm != "ed25519" {
                return Err(format!("key {}: algorithm {:?} is not ed25519", k.id, k.algorithm));
            }
            let key = parse_public_key(&k.public_key).map_err(|e| format!("key {}: {e}", k.id))?;
            if key_id(&key) != k.id {
                return Err(format!("key {}: the id does not belong to this public key", k.id));
            }
            set.insert(k.id.clone(), key);
        }
        if set.is_empty() {
            return Err("the key file lists no keys".into());
        }
        Ok(KeySet(set))
    }

    pub fn from_keys(keys: impl IntoIterator<Item = VerifyingKey>) -> KeySet {
        KeySet(keys.into_iter().map(|k| (key_id(&k), k)).collect())
    }

    pub fn get(&self, id: &str) -> Option<&VerifyingKey> {
        self.0.get(id)
    }
}

/// Where a check first failed, as precisely as known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Break {
    pub form: String,
    /// The receipt sequence number where the break is.
    pub sequence: Option<u64>,
    pub submission: Option<String>,
    /// A published version, when the break is in one.
    pub version: Option<String>,
    pub problem: String,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "form {}", self.form)?;
        if let Some(v) = &self.version {
            write!(f, ", version {v}")?;
        }
        if let Some(s) = self.sequence {
            write!(f, ", sequence {s}")?;
        }
        if let Some(id) = &self.submission {
            write!(f, ", submission {id}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// What was checked when everything held.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub form: String,
    pub versions: u64,
    pub receipts: u64,
    /// Envelopes whose visitor signature was checked.
    pub envelopes: u64,
    pub tombstones: u64,
    #[serde(default)]
    pub corrections: u64,
}

/// Checks a form's signed objects one at a time, in chain order: published
/// versions first, then each submission by sequence, then [`ChainCheck::finish`].
pub struct ChainCheck<'k> {
    keys: &'k KeySet,
    /// Compact exports hold no envelopes: a submission without one is not a break.
    compact: bool,
    versions: BTreeSet<String>,
    next: u64,
    previous: Option<String>,
    summary: Summary,
}

impl<'k> ChainCheck<'k> {
    pub fn new(keys: &'k KeySet, form: &str, compact: bool) -> Self {
        ChainCheck {
            keys,
            compact,
            versions: BTreeSet::new(),
            next: 1,
            previous: None,
            summary: Summary { form: form.to_owned(), ..Summary::default() },
        }
    }

    fn form(&self) -> &str {
        &self.summary.form
    }

    fn version_break(&self, version: &str, problem: impl Into<String>) -> Break {
        Break {
            form: self.form().to_owned(),
            sequence: None,
            submission: None,
            version: Some(version.to_owned()),
            problem: problem.into(),
        }
    }

    /// A published version: signed by an instance key, content-addressed, of this form.
    pub fn version(&mut self, v: &PublishedVersion) -> Result<(), Break> {
        let Some(key) = self.keys.get(&v.key) else {
            return Err(self.version_break(&v.version, format!("signed by an unknown key {:?}", v.key)));
        };
        if v.verify(key).is_err() {
            return Err(
                self.version_break(&v.version, "the version's signature or digest does not match its definition")
            );
        }
        if v.definition.id != self.form() {
            return Err(self.version_break(&v.version, format!("the version belongs to form {:?}", v.definition.id)));
        }
        self.versions.insert(v.version.clone());
        self.summary.versions += 1;
        Ok(())
    }

    /// The next submission of the chain.
    pub fn submission(&mut self, s: &ExportedSubmission) -> Result<(), Break> {
        let expected = self.next;
        let here = |problem: String| Break {
            form: self.summary.form.clone(),
            sequence: Some(expected),
            submission: Some(s.id.clone()),
            version: None,
            problem,
        };
        let r = &s.receipt.receipt;
        let Some(instance) = self.keys.get(&s.receipt.key) else {
            return Err(here(format!("the receipt is signed by an unknown key {:?}", s.receipt.key)));
        };
        if s.receipt.verify(instance).is_err() {
            return Err(here("the receipt's signature does not match the receipt".into()));
        }
        if r.form != self.form() {
            return Err(here(format!("the receipt is for form {:?}", r.form)));
        }
        if s.sequence != r.sequence {
            return Err(here(format!(
                "out of order: stored at sequence {}, but its signed receipt says {}",
                s.sequence, r.sequence
            )));
        }
        if r.sequence > expected {
            return Err(here(format!(
                "receipt {expected} is missing or out of order (the next one found is {})",
                r.sequence
            )));
        }
        if r.sequence < expected {
            return Err(here(format!("out of order: receipt {} found where {expected} was expected", r.sequence)));
        }
        if r.previous != self.previous {
            return Err(here("the receipt does not name the previous receipt's digest".into()));
        }
        if r.submission != s.id || s.sequence != r.sequence || s.version != r.version || s.received_at != r.received_at
        {
            return Err(here("the stored submission differs from its signed receipt".into()));
        }
        if !self.versions.contains(&r.version) {
            return Err(here(format!("answers a form version that is not among the signed versions: {}", r.version)));
        }
        match (&s.envelope, &s.tombstone) {
            (Some(_), Some(_)) => {
                return Err(here("answers are present although a tombstone says they were deleted".into()));
            }
            (Some(envelope), None) => {
                let request = SubmissionRequest {
                    envelope: envelope.clone(),
                    public_key: s.public_key.clone().unwrap_or_default(),
                    signature: s.signature.clone().unwrap_or_default(),
                    proof: None,
                    hp: String::new(),
                };
                let verified = request.verify().map_err(|e| here(format!("the envelope does not verify: {e}")))?;
                if verified.digest != r.envelope {
                    return Err(here("the envelope's digest differs from the one in the receipt".into()));
                }
                if verified.envelope.form != r.form || verified.envelope.version != r.version {
                    return Err(here("the envelope names another form or version than its receipt".into()));
                }
                if let Some(answers) = &s.answers
                    && envelope.get("answers").and_then(Value::as_object) != Some(answers)
                {
                    return Err(here("the answers differ from the signed envelope's".into()));
                }
                self.summary.envelopes += 1;
                for c in &s.corrections {
                    let Some(key) = self.keys.get(&c.key) else {
                        return Err(here(format!("a correction is signed by an unknown key {:?}", c.key)));
                    };
                    if c.verify(key).is_err() {
                        return Err(here("a correction's signature does not match the correction".into()));
                    }
                    if c.correction.submission != s.id || c.correction.envelope != r.envelope {
                        return Err(here("a correction names another submission or envelope".into()));
                    }
                    self.summary.corrections += 1;
                }
            }
            (None, Some(t)) => {
                let Some(key) = self.keys.get(&t.key) else {
                    return Err(here(format!("the tombstone is signed by an unknown key {:?}", t.key)));
                };
                if t.verify(key).is_err() {
                    return Err(here("the tombstone's signature does not match the tombstone".into()));
                }
                let ts = &t.tombstone;
                if ts.submission != s.id || ts.envelope != r.envelope || ts.form != r.form {
                    return Err(here("the tombstone names another submission or envelope".into()));
                }
                if s.answers.is_some() || !s.corrections.is_empty() {
                    return Err(here("answers are present although a tombstone says they were deleted".into()));
                }
                self.summary.tombstones += 1;
            }
            (None, None) if !self.compact => {
                return Err(here("the answers are missing and there is no tombstone for their deletion".into()));
            }
            (None, None) => {}
        }
        self.previous = Some(s.receipt.receipt.digest().map_err(|e| here(e.to_string()))?);
        self.next += 1;
        self.summary.receipts += 1;
        Ok(())
    }

    /// After the last submission: the chain must end where the head says it does.
    pub fn finish(self, head: Option<&ChainHead>) -> Result<Summary, Break> {
        let last = self.next - 1;
        let matches = match head {
            None => last == 0,
            Some(h) => h.sequence == last && self.previous.as_deref() == Some(h.digest.as_str()),
        };
        if !matches {
            let sequence = head.map_or(last, |h| h.sequence.max(last));
            return Err(Break {
                form: self.summary.form.clone(),
                sequence: Some(sequence),
                submission: None,
                version: None,
                problem: format!(
                    "the chain head ({}) does not match the last receipt ({last})",
                    head.map_or("none".to_owned(), |h| h.sequence.to_string())
                ),
            });
        }
        Ok(self.summary)
    }
}

/// Checks a JSON export with the instance's public keys: every version, envelope,
/// receipt and tombstone, and the chain from sequence 1 to the export's head.
pub fn verify_export(doc: &ExportDoc, keys: &KeySet) -> Result<Summary, Break> {
    let broken =
        |problem: String| Break { form: doc.form.clone(), sequence: None, submission: None, version: None, problem };
    if doc.format != EXPORT_FORMAT {
        return Err(broken(format!("unknown export format {:?}", doc.format)));
    }
    let mut check = ChainCheck::new(keys, &doc.form, doc.compact);
    for v in &doc.versions {
        check.version(v)?;
    }
    for s in &doc.submissions {
        check.submission(s)?;
    }
    check.finish(doc.head.as_ref())
}

/// One column of a table export (CSV, XLSX): a field that takes an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub class: DataClass,
    /// A matrix gets one column per row: the row's value here.
    pub row: Option<String>,
}

impl Column {
    /// The cell of this column for a submission's answers.
    pub fn cell(&self, answers: Option<&serde_json::Map<String, Value>>) -> String {
        let answer = answers.and_then(|a| a.get(&self.key));
        let answer = match &self.row {
            Some(row) => answer.and_then(|a| a.get(row)),
            None => answer,
        };
        answer.map_or(String::new(), |v| cell_text(&self.kind, v))
    }
}

/// The columns of a table export over several versions of a form: the newest
/// version's fields in form order, then fields only older versions had.
/// Headings and paragraphs ask nothing and get no column; a matrix gets one column
/// per row, "Matrix label: row label".
pub fn columns(newest_first: &[&FormDef], compact: bool) -> Vec<Column> {
    let mut out: Vec<Column> = Vec::new();
    for def in newest_first {
        let lang = def.default_lang();
        for f in &def.fields {
            // The one rule of what a compact reader sees (crate::reader).
            if f.kind.is_static() || compact && !FormAccess::Compact.shows(f) {
                continue;
            }
            let column = |label: String, row: Option<String>| Column {
                key: f.key.clone(),
                label,
                kind: f.kind.clone(),
                class: f.class,
                row,
            };
            let label = f.label.get(lang).to_owned();
            match &f.kind {
                FieldKind::Matrix { rows, .. } => {
                    for row in rows {
                        if !out.iter().any(|c| c.key == f.key && c.row.as_ref() == Some(&row.value)) {
                            out.push(column(format!("{label}: {}", row.label.get(lang)), Some(row.value.clone())));
                        }
                    }
                }
                _ if out.iter().any(|c| c.key == f.key) => {}
                _ => out.push(column(label, None)),
            }
        }
    }
    out
}

/// The answers a compact export keeps: those of `columns` (already compact).
pub fn compact_answers(answers: &serde_json::Map<String, Value>, columns: &[Column]) -> serde_json::Map<String, Value> {
    answers.iter().filter(|(k, _)| columns.iter().any(|c| &c.key == *k)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// An answer as the text of one table cell.
pub fn cell_text(kind: &FieldKind, value: &Value) -> String {
    match (kind, value) {
        (_, Value::String(s)) => s.clone(),
        (_, Value::Bool(b)) => (if *b { "yes" } else { "no" }).to_owned(),
        (FieldKind::Ranking { .. }, Value::Array(_)) => crate::answer::answer_text(Some(kind), value),
        (_, Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                Value::Object(o) => {
                    o.get("other").and_then(Value::as_str).map_or(i.to_string(), |t| format!("other: {t}"))
                }
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        (FieldKind::Address { .. }, Value::Object(o)) => ["street", "postcode", "city", "country"]
            .iter()
            .filter_map(|k| o.get(*k).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        (FieldKind::Consent { .. }, Value::Object(o)) => {
            let accepted = o.get("accepted").and_then(Value::as_bool).unwrap_or(false);
            let text = o.get("text").and_then(Value::as_str).unwrap_or("");
            format!("{}: {text}", if accepted { "agreed" } else { "not agreed" })
        }
        (FieldKind::Signature { .. }, Value::Object(o)) => {
            let strokes = o.get("strokes").and_then(Value::as_array).map_or(0, Vec::len);
            format!("signed ({strokes} strokes)")
        }
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use ed25519_dalek::SigningKey;
    use serde_json::json;

    use super::*;
    use crate::canonical::b64_encode;
    use crate::signed::{Envelope, Receipt};
    use crate::tombstone::Tombstone;

    const FORM: &str = "contact-tracing";

    fn instance() -> SigningKey {
        SigningKey::from_bytes(&[9; 32])
    }

    /// A form with three submissions, the second one deleted.
    fn export() -> (ExportDoc, KeySet) {
        let key = instance();
        let kid = key_id(&key.verifying_key());
        let version = PublishedVersion::sign(crate::demo::contact_tracing(), &kid, &key).unwrap();
        let mut previous = None;
        let mut submissions = Vec::new();
        for n in 1..=3u64 {
            let envelope = Envelope {
                v: 1,
                form: FORM.into(),
                version: version.version.clone(),
                answers: [("name".to_owned(), json!(format!("Person {n}")))].into(),
                nonce: b64_encode(&[n as u8; 16]),
                client_time: "2026-11-27T10:00:00.000Z".into(),
                link: None,
            };
            let visitor = SigningKey::from_bytes(&[n as u8 + 20; 32]);
            let request = SubmissionRequest::sign(&envelope, &visitor).unwrap();
            let digest = request.verify().unwrap().digest;
            let receipt = Receipt {
                v: 1,
                submission: format!("s{n}"),
                form: FORM.into(),
                version: version.version.clone(),
                envelope: digest.clone(),
                received_at: format!("2026-11-27T10:00:0{n}.000Z"),
                sequence: n,
                previous: previous.clone(),
            };
            previous = Some(receipt.digest().unwrap());
            let receipt = SignedReceipt::sign(receipt, &kid, &key).unwrap();
            let mut s = ExportedSubmission {
                id: format!("s{n}"),
                sequence: n,
                received_at: receipt.receipt.received_at.clone(),
                version: version.version.clone(),
                answers: request.envelope["answers"].as_object().cloned(),
                envelope: Some(request.envelope.clone()),
                public_key: Some(request.public_key.clone()),
                signature: Some(request.signature.clone()),
                receipt,
                tombstone: None,
                corrections: Vec::new(),
            };
            if n == 2 {
                let t = Tombstone {
                    v: 1,
                    submission: s.id.clone(),
                    form: FORM.into(),
                    envelope: digest,
                    reason: "retention".into(),
                    request: None,
                    deleted_at: "2026-12-27T10:00:00.000Z".into(),
                };
                s.tombstone = Some(SignedTombstone::sign(t, &kid, &key).unwrap());
                (s.answers, s.envelope, s.public_key, s.signature) = (None, None, None, None);
            }
            submissions.push(s);
        }
        let doc = ExportDoc {
            format: EXPORT_FORMAT.into(),
            form: FORM.into(),
            title: "Guest registration".into(),
            exported_at: "2026-12-28T00:00:00.000Z".into(),
            compact: false,
            versions: vec![version],
            head: Some(ChainHead { sequence: 3, digest: previous.unwrap() }),
            submissions,
        };
        let keys = KeySet::from_public(&PublicKeys {
            keys: vec![PublicKeyInfo {
                id: kid,
                algorithm: "ed25519".into(),
                public_key: b64_encode(key.verifying_key().as_bytes()),
                created: None,
                active: true,
            }],
        })
        .unwrap();
        (doc, keys)
    }

    #[test]
    fn an_intact_export_with_a_tombstone_verifies() {
        let (doc, keys) = export();
        let summary = verify_export(&doc, &keys).unwrap();
        assert_eq!((summary.versions, summary.receipts, summary.envelopes, summary.tombstones), (1, 3, 2, 1));
    }

    #[test]
    fn tampering_is_found_where_it_happened() {
        let (doc, keys) = export();
        let mut altered = doc.clone();
        altered.submissions[2].envelope.as_mut().unwrap()["answers"]["name"] = json!("Person X");
        altered.submissions[2].answers =
            altered.submissions[2].envelope.as_ref().unwrap()["answers"].as_object().cloned();
        let b = verify_export(&altered, &keys).unwrap_err();
        assert_eq!((b.sequence, b.submission.as_deref()), (Some(3), Some("s3")));
        assert!(b.problem.contains("envelope does not verify"), "{b}");

        let mut answers_only = doc.clone();
        answers_only.submissions[0].answers.as_mut().unwrap().insert("name".into(), json!("Eve"));
        assert!(verify_export(&answers_only, &keys).unwrap_err().problem.contains("answers differ"));

        let mut removed = doc.clone();
        removed.submissions.remove(1);
        let b = verify_export(&removed, &keys).unwrap_err();
        assert_eq!(b.sequence, Some(2));
        assert!(b.problem.contains("receipt 2 is missing"), "{b}");

        let mut reordered = doc.clone();
        reordered.submissions.swap(0, 1);
        assert_eq!(verify_export(&reordered, &keys).unwrap_err().sequence, Some(1));

        let mut truncated = doc.clone();
        truncated.submissions.pop();
        assert!(verify_export(&truncated, &keys).unwrap_err().problem.contains("chain head"));

        let mut unburied = doc.clone();
        unburied.submissions[1].tombstone.as_mut().unwrap().tombstone.reason = "erasure".into();
        assert!(verify_export(&unburied, &keys).unwrap_err().problem.contains("tombstone's signature"));

        let mut version = doc.clone();
        version.versions[0].definition.notice.retention_days = 3650;
        assert!(verify_export(&version, &keys).unwrap_err().version.is_some());

        let mut silently_deleted = doc;
        silently_deleted.submissions[0].envelope = None;
        assert!(verify_export(&silently_deleted, &keys).unwrap_err().problem.contains("no tombstone"));
    }

    #[test]
    fn a_key_file_must_hold_the_keys_it_names() {
        let key = instance().verifying_key();
        let wrong = PublicKeys {
            keys: vec![PublicKeyInfo {
                id: "not-the-id".into(),
                algorithm: "ed25519".into(),
                public_key: b64_encode(key.as_bytes()),
                created: None,
                active: true,
            }],
        };
        assert!(KeySet::from_public(&wrong).is_err());
    }

    #[test]
    fn compact_columns_leave_out_personal_fields_and_signatures() {
        use crate::form::Field;
        use crate::text::LocalText;
        let mut def = crate::demo::contact_tracing();
        let field = |key: &str, class, kind| Field {
            key: key.into(),
            label: LocalText::new(key, key),
            help: None,
            placeholder: None,
            required: false,
            class,
            visible_if: None,
            required_if: None,
            kind,
        };
        def.fields.push(field("table", DataClass::None, FieldKind::Email));
        def.fields.push(field("health", DataClass::Special, FieldKind::YesNo));
        def.fields.push(field("sig", DataClass::None, FieldKind::Signature { statement: LocalText::new("x", "x") }));
        def.fields.push(field("intro", DataClass::None, FieldKind::Heading));
        let keys = |c: Vec<Column>| c.into_iter().map(|c| c.key).collect::<Vec<_>>();
        assert_eq!(keys(columns(&[&def], true)), ["table"]);
        assert_eq!(keys(columns(&[&def], false)).len(), def.fields.len() - 1);
    }
}
