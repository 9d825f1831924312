//! Appends accepted submissions to their form's receipt chain, several in one
//! transaction when they arrive together (group commit).
//!
//! Each receipt names the one before it, so writes to one form are sequential.
//! Stored one per transaction, a busy form would wait for one disk sync per
//! submission. Instead, submissions that arrive while their form's chain is being
//! written wait in a queue, and the next writer stores the whole queue (up to
//! [`MAX_BATCH`]) in one transaction. Across replicas the store's check-and-set on
//! the chain head keeps one chain: a batch that loses that race is signed again on
//! the new head and retried.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use formseal_model::{ProofError, Receipt, SignedReceipt, VerifiedSubmission};
use tokio::sync::oneshot;

use crate::audit::{self, Action};
use crate::error::{Error, LinkClosed, Result};
use crate::links;
use crate::state::AppState;
use crate::store::{InsertOutcome, NewSubmission, SpentChallenge};
use crate::submissions::{Accepted, replay};
use crate::time::{now_ms, rfc3339_ms};

/// Submissions per transaction at most: bounds the transaction's size and the
/// time the last of them waits.
pub const MAX_BATCH: usize = 64;
const MAX_ATTEMPTS: u32 = 20;

/// A verified, validated submission waiting for its place in the chain.
pub(crate) struct Pending {
    pub form_id: String,
    pub verified: VerifiedSubmission,
    pub public_key: String,
    pub signature: String,
    pub challenge: Option<SpentChallenge>,
    pub person_tokens: Vec<String>,
    pub retention_ms: i64,
    pub link: Option<String>,
    /// Who is told of it once stored (their mails go into the same transaction).
    pub notice: Option<crate::messages::notify::Notice>,
    /// The webhooks that announce it (their messages go into the same transaction).
    pub hooks: Option<crate::messages::webhooks::HookNotice>,
}

type Waiter = (Pending, oneshot::Sender<Result<Accepted>>);

/// One form's queue and whose turn it is to write; see [`Chains`].
#[derive(Default)]
struct FormChain {
    queue: Mutex<VecDeque<Waiter>>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl FormChain {
    fn take(&self, n: usize) -> Vec<Waiter> {
        let mut queue = self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = n.min(queue.len());
        queue.drain(..n).collect()
    }
}

/// The chains this process writes to, by form (part of [`AppState`]).
#[derive(Default)]
pub struct Chains(Mutex<HashMap<String, Arc<FormChain>>>);

impl Chains {
    fn of(&self, form_id: &str) -> Arc<FormChain> {
        let mut chains = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        chains.entry(form_id.to_owned()).or_default().clone()
    }
}

/// Stores `pending` with the next receipt of its form's chain; answers with it.
pub(crate) async fn append(state: &AppState, pending: Pending) -> Result<Accepted> {
    let chain = state.chains.of(&pending.form_id);
    let (done, mut result) = oneshot::channel();
    chain.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push_back((pending, done));
    loop {
        let turn = chain.turn.clone().lock_owned().await;
        // The writer before may have stored this one with its batch.
        match result.try_recv() {
            Ok(answer) => return answer,
            Err(oneshot::error::TryRecvError::Closed) => {
                return Err(Error::Internal("the chain writer stopped before answering".into()));
            }
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let batch = chain.take(MAX_BATCH);
        // In a task of its own: a visitor who goes away must not cancel the others'
        // write half-way. It keeps the turn until every waiter has its answer.
        let state = state.clone();
        let _ = tokio::spawn(async move {
            let _turn = turn;
            write(&state, batch).await;
        })
        .await;
    }
}

async fn write(state: &AppState, batch: Vec<Waiter>) {
    // Optimistic: the nonces, challenges and links were checked before queueing, and
    // the store refuses the batch if one of them was used since.
    match write_together(state, &batch).await {
        Ok(Some(receipts)) => {
            for ((pending, done), receipt) in batch.into_iter().zip(receipts) {
                stored(state, &pending, &receipt).await;
                let _ = done.send(Ok(Accepted { receipt, created: true }));
            }
            return;
        }
        // One of them was refused (a used nonce, challenge or link): one by one, each
        // gets its own answer (the receipt of its earlier twin, or why not).
        Ok(None) => {}
        // The store failed (a full disk, the database away): trying again at once,
        // one by one, would only keep these visitors waiting. They get the error
        // and may retry with the same envelope.
        Err(e) => {
            for (_, done) in batch {
                let _ = done.send(Err(same(&e)));
            }
            return;
        }
    }
    for (pending, done) in batch {
        let _ = done.send(write_one(state, &pending).await);
    }
}

/// The receipts, in order, when all of `batch` was stored; `None` when the store
/// refused one of them.
async fn write_together(state: &AppState, batch: &[Waiter]) -> Result<Option<Vec<SignedReceipt>>> {
    let Some((first, _)) = batch.first() else { return Ok(Some(Vec::new())) };
    let form_id = &first.form_id;
    for attempt in 0..MAX_ATTEMPTS {
        let (mut sequence, mut previous) = state.store.chain_head(form_id).await?;
        let mut rows = Vec::with_capacity(batch.len());
        let mut receipts = Vec::with_capacity(batch.len());
        for (pending, _) in batch {
            let (row, receipt) = row(state, pending, sequence + 1, previous.take())?;
            sequence = row.sequence;
            previous = Some(row.receipt_digest.clone());
            rows.push(row);
            receipts.push(receipt);
        }
        let refs: Vec<(&NewSubmission, Option<&str>)> =
            rows.iter().zip(batch).map(|(row, (pending, _))| (row, pending.link.as_deref())).collect();
        match state.store.insert_submissions(&refs).await? {
            InsertOutcome::Stored => {
                tracing::info!(form = %form_id, last = sequence, size = rows.len(), "submissions stored together");
                return Ok(Some(receipts));
            }
            InsertOutcome::ChainMoved => backoff(form_id, attempt).await,
            _ => return Ok(None),
        }
    }
    Ok(None)
}

async fn write_one(state: &AppState, pending: &Pending) -> Result<Accepted> {
    let form_id = &pending.form_id;
    let link = pending.link.as_deref();
    let mut spent = false;
    for attempt in 0..MAX_ATTEMPTS {
        if let Some(replayed) = replay(state, form_id, &pending.verified).await? {
            return Ok(replayed);
        }
        // Spent by another request that was not this submission's retry.
        if spent {
            return Err(ProofError::Spent.into());
        }
        let (sequence, previous) = state.store.chain_head(form_id).await?;
        let (row, receipt) = row(state, pending, sequence + 1, previous)?;
        match state.store.insert_submission_with_link(&row, link).await? {
            InsertOutcome::Stored => {
                tracing::info!(form = %form_id, submission = %row.submission_id, sequence = row.sequence, "submission stored");
                stored(state, pending, &receipt).await;
                return Ok(Accepted { receipt, created: true });
            }
            // Look again: it may have been this very submission's retry that spent it.
            InsertOutcome::ChallengeSpent => spent = true,
            // Of concurrent submissions over a single-use link, one was stored first.
            InsertOutcome::LinkUsed => return Err(Error::LinkClosed(LinkClosed::Used)),
            InsertOutcome::LinkClosed => {
                let why = match state.store.link(link.unwrap_or_default()).await? {
                    Some(row) => links::closed(&row, chrono::Utc::now()).unwrap_or(LinkClosed::Expired),
                    None => LinkClosed::Revoked,
                };
                return Err(Error::LinkClosed(why));
            }
            // Another replica (or a conflicting transaction) got there first: look again.
            InsertOutcome::ChainMoved | InsertOutcome::NonceTaken => backoff(form_id, attempt).await,
        }
    }
    Err(Error::Busy)
}

/// `e` again, for the next waiter of a failed batch.
fn same(e: &Error) -> Error {
    match e {
        Error::Unavailable(m) => Error::Unavailable(m.clone()),
        Error::Busy => Error::Busy,
        other => Error::Internal(other.to_string()),
    }
}

async fn backoff(form_id: &str, attempt: u32) {
    tracing::debug!(form = form_id, attempt, "chain moved; retrying");
    tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 3)).await;
}

/// The row and signed receipt of `pending` at place `sequence` after `previous`.
fn row(
    state: &AppState,
    pending: &Pending,
    sequence: u64,
    previous: Option<String>,
) -> Result<(NewSubmission, SignedReceipt)> {
    let envelope = &pending.verified.envelope;
    let received = now_ms();
    let receipt = Receipt {
        v: 1,
        submission: uuid::Uuid::now_v7().to_string(),
        form: pending.form_id.clone(),
        version: envelope.version.clone(),
        envelope: pending.verified.digest.clone(),
        received_at: rfc3339_ms(received),
        sequence,
        previous,
    };
    let key = state.keys.active();
    let signed = SignedReceipt::sign(receipt, &key.id, key.signing_key())?;
    let row = NewSubmission {
        submission_id: signed.receipt.submission.clone(),
        form_id: pending.form_id.clone(),
        version: envelope.version.clone(),
        nonce: envelope.nonce.clone(),
        envelope: pending.verified.envelope_json.clone(),
        envelope_digest: pending.verified.digest.clone(),
        public_key: pending.public_key.clone(),
        signature: pending.signature.clone(),
        sequence,
        receipt: serde_json::to_value(&signed).map_err(|e| Error::Internal(e.to_string()))?,
        receipt_digest: signed.receipt.digest()?,
        received_at: signed.receipt.received_at.clone(),
        delete_after: rfc3339_ms(received + pending.retention_ms),
        challenge: pending.challenge.clone(),
        person_tokens: pending.person_tokens.clone(),
        messages: messages(state, pending, &signed)?,
    };
    Ok((row, signed))
}

/// The mails and webhook messages that announce the submission of `signed`.
fn messages(state: &AppState, pending: &Pending, signed: &SignedReceipt) -> Result<Vec<crate::store::NewMessage>> {
    let mut messages = pending.notice.as_ref().map(|n| n.mails(state, &signed.receipt)).unwrap_or_default();
    if let Some(hooks) = &pending.hooks {
        messages.extend(hooks.messages(state, signed)?);
    }
    Ok(messages)
}

/// What follows a stored submission: a personal link's use is audited.
async fn stored(state: &AppState, pending: &Pending, receipt: &SignedReceipt) {
    if pending.notice.is_some() || pending.hooks.is_some() {
        state.outbox_wake.notify_one();
    }
    if let Some(link_id) = &pending.link {
        audit::record_or_log(state, "link holder", Action::LinkSubmitted, link_id, &receipt.receipt.submission).await;
    }
}
