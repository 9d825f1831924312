//! Proof-of-work challenges: issued signed by the instance key, checked at submit.
//!
//! Why the instance ed25519 key and not an HMAC secret: the key already exists on
//! every replica (receipts need it), rotation keeps old keys listed, and there is no
//! second secret to create, back up and share. A signature check costs some tens of
//! microseconds, the same as the visitor's signature the server checks anyway.

use chrono::{DateTime, Utc};
use formseal_model::pow::MAX_DIFFICULTY;
use formseal_model::{Challenge, CheckedProof, Proof, ProofError, SignedChallenge, b64_encode};

use crate::accounts::Operator;
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::permissions::Permission;
use crate::state::AppState;
use crate::store::SpentChallenge;
use crate::time::{now_ms, rfc3339_ms};

/// How long a challenge may be used: long enough to fill a form, short enough that
/// a stockpile of solved challenges goes stale.
pub const TTL_MS: i64 = 10 * 60 * 1000;

/// The difficulty a form's challenges get now: its own setting, else the server's.
pub async fn difficulty(state: &AppState, form_id: &str) -> Result<u32> {
    let form = state.store.form_pow(form_id).await?.ok_or(Error::NotFound("form"))?;
    Ok(form.pow_difficulty.unwrap_or(state.config.pow_difficulty).min(MAX_DIFFICULTY))
}

/// Sets a form's difficulty (form designers); `None` goes back to the server's
/// default. Audited.
pub async fn set_difficulty(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    difficulty: Option<u32>,
) -> Result<()> {
    operator.require(Permission::DesignForms)?;
    if difficulty.is_some_and(|d| d > MAX_DIFFICULTY) {
        return Err(Error::BadRequest(format!("the difficulty must be 0 to {MAX_DIFFICULTY} bits")));
    }
    state.store.form_pow(form_id).await?.ok_or(Error::NotFound("form"))?;
    state.store.set_pow_difficulty(form_id, difficulty).await?;
    let detail = difficulty.map_or("server default".to_owned(), |b| format!("{b} bits"));
    audit::record(state, &operator.username, Action::SpamProtectionChanged, form_id, &detail).await
}

/// A fresh challenge for one submission to `form_id`.
pub async fn issue(state: &AppState, form_id: &str) -> Result<SignedChallenge> {
    let difficulty = difficulty(state, form_id).await?;
    let challenge = Challenge {
        v: 1,
        form: form_id.to_owned(),
        salt: b64_encode(&crate::random::bytes::<16>()?),
        difficulty,
        expires: rfc3339_ms(now_ms() + TTL_MS),
    };
    let key = state.keys.active();
    Ok(SignedChallenge::sign(challenge, &key.id, key.signing_key())?)
}

/// Checks a proof without the database except for one read: is it spent already?
/// The insert of the submission marks it spent, in the same transaction.
pub async fn check(state: &AppState, form_id: &str, proof: Option<&Proof>) -> Result<SpentChallenge> {
    let proof = proof.ok_or(ProofError::Missing)?;
    let now: DateTime<Utc> = Utc::now();
    let CheckedProof { id, expires } =
        proof.check(form_id, now, |key_id| state.keys.find(key_id).map(|k| k.verifying_key()))?;
    if state.store.challenge_spent(&id).await? {
        return Err(ProofError::Spent.into());
    }
    Ok(SpentChallenge { id, expires: rfc3339_ms(expires.timestamp_millis()) })
}

/// Forgets expired used challenges (and personal-link openings too old to be
/// accepted again) every few minutes.
pub async fn sweep(state: AppState) {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(300)).await;
        if let Err(e) = state.store.forget_expired_challenges().await {
            tracing::warn!(error = %e, "could not forget expired challenges");
        }
        if let Err(e) = state.store.forget_old_link_opens(crate::time::now_ms()).await {
            tracing::warn!(error = %e, "could not forget old link openings");
        }
    }
}
