//! Accepting signed submissions and proving them later.

use formseal_model::{ProofError, SignedReceipt, SubmissionRequest, ValidationContext, VerifiedSubmission, validate};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::SubmissionRow;
use crate::{chain_writer, forms, links, pow};

#[derive(Debug)]
pub struct Accepted {
    pub receipt: SignedReceipt,
    /// False when this was a retry of a submission already stored.
    pub created: bool,
}

/// Verifies, validates and stores one signed submission; answers with its receipt.
///
/// Refuses a filled honeypot, and a missing, forged, expired, too easy or already
/// used proof of work. Idempotent per nonce: the same envelope again gets the first
/// receipt; another envelope with a used nonce is refused.
pub async fn accept(state: &AppState, form_id: &str, request: SubmissionRequest) -> Result<Accepted> {
    if !request.hp.is_empty() {
        // Only robots see the honeypot field. The length is logged, never the text.
        tracing::info!(form = form_id, hp_len = request.hp.len(), "submission refused: honeypot filled");
        return Err(Error::Refused);
    }
    let verified = request.verify()?;
    let envelope = &verified.envelope;
    if envelope.form != form_id {
        return Err(Error::BadRequest(format!("the envelope is for form {:?}, not {form_id:?}", envelope.form)));
    }
    // A retry of a stored submission gets its receipt even if the form changed since,
    // and before its proof of work is looked at: that proof is spent by the first
    // post, and may have expired since.
    if let Some(replayed) = replay(state, form_id, &verified).await? {
        return Ok(replayed);
    }
    // A personal link's signature already shows who sent it (a holder of that
    // link's secret): no proof of work. Everyone else brings one.
    let link = envelope.link.as_deref();
    let challenge = match link {
        Some(link_id) => {
            links::check_submission(state, form_id, link_id, &request.public_key, &envelope.answers).await?;
            None
        }
        None => match pow::check(state, form_id, request.proof.as_ref()).await {
            // The same envelope may have been stored a moment ago by a concurrent retry
            // (on another replica): that spent the proof, and this retry gets its receipt.
            Err(Error::Proof(ProofError::Spent)) => match replay(state, form_id, &verified).await? {
                Some(replayed) => return Ok(replayed),
                None => return Err(ProofError::Spent.into()),
            },
            other => Some(other?),
        },
    };
    let forms::Accepting { version, notify, hooks } = forms::accepting(state, form_id, &envelope.version).await?;
    // A day of slack on each side: the visitor's "today" may be the server's
    // yesterday or tomorrow.
    let ctx = ValidationContext { today: chrono::Utc::now().date_naive(), slack_days: 1 };
    validate(&version.definition, &envelope.answers, &ctx).map_err(Error::Validation)?;
    let person = formseal_model::person::keys_of(&version.definition, &envelope.answers);
    let person_tokens = crate::person_index::tokens(&state.keys, &person)?;
    let notice = crate::messages::notify::notice(state, notify.as_ref(), &version.definition, &envelope.answers);
    let hooks = crate::messages::webhooks::notice(&hooks, &envelope.answers)?;

    let pending = chain_writer::Pending {
        form_id: form_id.to_owned(),
        public_key: request.public_key,
        signature: request.signature,
        challenge,
        person_tokens,
        retention_ms: i64::from(version.definition.notice.retention_days) * 86_400_000,
        link: envelope.link.clone(),
        notice,
        hooks,
        verified,
    };
    let accepted = chain_writer::append(state, pending).await?;
    if accepted.created {
        crate::funnel::count_submission(state, form_id, &version.version).await;
    }
    Ok(accepted)
}

/// The first receipt, when this exact envelope is stored already; refuses the
/// nonce when another envelope was stored with it.
pub(crate) async fn replay(state: &AppState, form_id: &str, verified: &VerifiedSubmission) -> Result<Option<Accepted>> {
    match state.store.submission_by_nonce(form_id, &verified.envelope.nonce).await? {
        Some(existing) if existing.envelope_digest == verified.digest => {
            Ok(Some(Accepted { receipt: stored_receipt(&existing)?, created: false }))
        }
        Some(_) => Err(Error::NonceReused),
        None => Ok(None),
    }
}

fn stored_receipt(row: &SubmissionRow) -> Result<SignedReceipt> {
    serde_json::from_value(row.receipt.clone()).map_err(|e| Error::Internal(format!("stored receipt: {e}")))
}

/// What the console shows about one stored submission, checked now.
#[derive(Debug, Clone)]
pub struct Checked {
    pub row: SubmissionRow,
    pub receipt: SignedReceipt,
    /// The visitor's signature over the stored envelope verifies.
    pub signature_valid: bool,
    /// The instance key's signature over the receipt verifies, and the receipt names
    /// this envelope.
    pub receipt_valid: bool,
    /// When the answers were deleted: the tombstone, and whether its signature and
    /// envelope digest check out.
    pub deleted: Option<(formseal_model::tombstone::SignedTombstone, bool)>,
}

pub async fn checked(state: &AppState, submission_id: &str) -> Result<Checked> {
    let row = state.store.submission(submission_id).await?.ok_or(Error::NotFound("submission"))?;
    let receipt = stored_receipt(&row)?;
    let signature_valid = match &row.envelope {
        Some(envelope) => {
            let request = SubmissionRequest {
                envelope: envelope.clone(),
                public_key: row.public_key.clone(),
                signature: row.signature.clone(),
                proof: None,
                hp: String::new(),
            };
            request.verify().is_ok_and(|v| v.digest == row.envelope_digest)
        }
        None => false,
    };
    let receipt_valid = state.keys.find(&receipt.key).is_some_and(|k| receipt.verify(&k.verifying_key()).is_ok())
        && receipt.receipt.envelope == row.envelope_digest;
    let deleted = row
        .tombstone
        .clone()
        .and_then(|t| serde_json::from_value::<formseal_model::tombstone::SignedTombstone>(t).ok())
        .map(|t| {
            let valid = state.keys.find(&t.key).is_some_and(|k| t.verify(&k.verifying_key()).is_ok())
                && t.tombstone.envelope == row.envelope_digest
                && t.tombstone.submission == row.submission_id;
            (t, valid)
        });
    Ok(Checked { row, receipt, signature_valid, receipt_valid, deleted })
}

/// A submission's corrections (Art. 16), oldest first, each with whether it is
/// signed by an instance key and names this submission's envelope.
pub async fn corrections(
    state: &AppState,
    row: &SubmissionRow,
) -> Result<Vec<(formseal_model::correction::SignedCorrection, bool)>> {
    use formseal_model::correction::SignedCorrection;
    let stored = state.store.corrections(&row.submission_id).await?;
    Ok(stored
        .into_iter()
        .filter_map(|v| serde_json::from_value::<SignedCorrection>(v).ok())
        .map(|signed| {
            let valid = state.keys.find(&signed.key).is_some_and(|k| signed.verify(&k.verifying_key()).is_ok())
                && signed.correction.envelope == row.envelope_digest
                && signed.correction.submission == row.submission_id;
            (signed, valid)
        })
        .collect())
}

/// The result of walking a form's receipt chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub receipts: u64,
    pub intact: bool,
    /// The first sequence number where the chain breaks, and why.
    pub problem: Option<(u64, String)>,
}

/// Checks every receipt of a form: signed by an instance key, numbered 1, 2, 3, …
/// without gaps, and each naming the previous receipt's digest.
pub async fn verify_chain(state: &AppState, form_id: &str) -> Result<ChainReport> {
    const PAGE: u64 = 500;
    let (head, head_digest) = state.store.chain_head(form_id).await?;
    let mut expected_seq = 1u64;
    let mut previous: Option<String> = None;
    let fail = |seq: u64, why: &str| ChainReport {
        receipts: seq.saturating_sub(1),
        intact: false,
        problem: Some((seq, why.to_owned())),
    };
    loop {
        let page = state.store.receipts(form_id, expected_seq, PAGE).await?;
        let count = page.len() as u64;
        for value in page {
            let signed: SignedReceipt = serde_json::from_value(value).map_err(|e| Error::Internal(e.to_string()))?;
            let r = &signed.receipt;
            if r.sequence != expected_seq {
                return Ok(fail(expected_seq, "a receipt is missing"));
            }
            if r.previous != previous {
                return Ok(fail(expected_seq, "the previous-receipt digest does not match"));
            }
            let Some(key) = state.keys.find(&signed.key) else {
                return Ok(fail(expected_seq, "signed by an unknown key"));
            };
            if signed.verify(&key.verifying_key()).is_err() {
                return Ok(fail(expected_seq, "the receipt signature is invalid"));
            }
            previous = Some(r.digest()?);
            expected_seq += 1;
        }
        if count < PAGE {
            break;
        }
    }
    let receipts = expected_seq - 1;
    if receipts != head || previous != head_digest {
        return Ok(fail(expected_seq, "the chain head does not match the last receipt"));
    }
    Ok(ChainReport { receipts, intact: true, problem: None })
}
