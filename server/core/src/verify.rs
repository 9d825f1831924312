//! The integrity check of the store: for one form or all, every published version's
//! signature, every envelope still held, every receipt and the chain, every
//! tombstone; the first break is named precisely (form, sequence, submission,
//! what is wrong). The same [`ChainCheck`] verifies a JSON export offline.

use std::ops::ControlFlow;

use formseal_model::export::{Break, ChainCheck, ChainHead, KeySet, PublicKeyInfo, PublicKeys, Summary};
use serde::Serialize;

use crate::audit::{self, Action};
use crate::error::Result;
use crate::permissions::{Operator, Permission};
use crate::state::AppState;

/// One form's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormResult {
    pub form: String,
    pub outcome: std::result::Result<Summary, Break>,
}

impl FormResult {
    pub fn intact(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// The instance's public keys, as `/.well-known/formseal-keys.json` lists them.
pub fn public_keys(state: &AppState) -> PublicKeys {
    PublicKeys {
        keys: state
            .keys
            .public_entries()
            .into_iter()
            .map(|k| PublicKeyInfo {
                id: k.id,
                algorithm: k.algorithm.to_owned(),
                public_key: k.public_key,
                created: Some(k.created),
                active: k.active,
            })
            .collect(),
    }
}

fn key_set(state: &AppState) -> KeySet {
    KeySet::from_keys(
        state.keys.public_entries().iter().filter_map(|k| state.keys.find(&k.id)).map(|k| k.verifying_key()),
    )
}

/// Checks one form in the store.
pub async fn verify_form(state: &AppState, form_id: &str) -> Result<FormResult> {
    let keys = key_set(state);
    let outcome = check(state, &keys, form_id).await?;
    Ok(FormResult { form: form_id.to_owned(), outcome })
}

async fn check(state: &AppState, keys: &KeySet, form_id: &str) -> Result<std::result::Result<Summary, Break>> {
    let mut chain = ChainCheck::new(keys, form_id, false);
    for version in crate::export::versions(state, form_id).await? {
        if let Err(b) = chain.version(&version) {
            return Ok(Err(b));
        }
    }
    let (head_sequence, head_digest) = state.store.chain_head(form_id).await?;
    let stopped = crate::export::in_order(state, form_id, None, |submission| match chain.submission(&submission) {
        Ok(()) => ControlFlow::Continue(()),
        Err(b) => ControlFlow::Break(b),
    })
    .await?;
    if let Some(b) = stopped {
        return Ok(Err(b));
    }
    Ok(chain.finish(head_digest.map(|digest| ChainHead { sequence: head_sequence, digest }).as_ref()))
}

/// Checks `only` that form, or every form.
pub async fn verify(state: &AppState, only: Option<&str>) -> Result<Vec<FormResult>> {
    let forms = match only {
        Some(form) => {
            crate::forms::form(state, form).await?;
            vec![form.to_owned()]
        }
        None => state.store.form_ids().await?,
    };
    let mut out = Vec::with_capacity(forms.len());
    for form in forms {
        out.push(verify_form(state, &form).await?);
    }
    Ok(out)
}

/// The integrity check as an operator runs it from the console (those who read the
/// audit log); audited with what it found.
pub async fn verify_as(state: &AppState, by: &Operator, only: Option<&str>) -> Result<Vec<FormResult>> {
    by.require(Permission::ViewAudit)?;
    let results = verify(state, only).await?;
    let broken = results.iter().filter(|r| !r.intact()).count();
    let detail = format!("{} forms checked, {broken} broken", results.len());
    audit::record(state, &by.username, Action::IntegrityVerified, only.unwrap_or("all"), &detail).await?;
    Ok(results)
}
