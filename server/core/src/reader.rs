//! Submissions as an operator reads them in the console: one form's list, one
//! submission. What each view shows is `formseal_model::reader`, the same projection
//! the exports and the access report use; who gets which view is
//! [`Operator::form_access`]. Reading personal data is audited.

use formseal_model::reader::{self, FormAccess, ShownAnswer, ShownSignature};
use formseal_model::{FormDef, SignedReceipt};
use serde_json::Value;

use crate::accounts::Operator;
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{FormRow, SubmissionRow};
use crate::submissions::Checked;

/// Rows of one page of a form's submission list.
pub const PAGE_SIZE: u64 = 50;
/// Answers shown to recognise a row in the list.
const PREVIEW_ANSWERS: usize = 2;

/// One page of a form's submissions.
#[derive(Debug)]
pub struct Listing {
    pub form: FormRow,
    /// Submissions in the form's chain.
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub access: FormAccess,
    pub rows: Vec<Listed>,
}

#[derive(Debug)]
pub struct Listed {
    pub id: String,
    pub sequence: u64,
    pub received_at: String,
    /// The first answers the reader may see.
    pub preview: Vec<ShownAnswer>,
}

/// One submission as its reader may see it, checked now.
#[derive(Debug)]
pub struct Reading {
    pub checked: Checked,
    pub access: FormAccess,
    /// The definition of the version answered, if it is still known.
    pub definition: Option<FormDef>,
    pub answers: Vec<ShownAnswer>,
    pub signatures: Vec<ShownSignature>,
    /// Rectifications (Art. 16), oldest first; full view only (they hold personal values).
    pub corrections: Vec<ShownCorrection>,
}

#[derive(Debug)]
pub struct ShownCorrection {
    pub label: String,
    pub value: String,
    pub reason: String,
    pub at: String,
    /// Signed by an instance key and naming this submission's envelope.
    pub valid: bool,
}

impl Reading {
    pub fn row(&self) -> &SubmissionRow {
        &self.checked.row
    }

    pub fn receipt(&self) -> &SignedReceipt {
        &self.checked.receipt
    }

    /// The title of the form in its default language (the id when the version is gone).
    pub fn form_title(&self) -> String {
        self.definition.as_ref().map_or(self.row().form_id.clone(), |d| d.title.get(d.default_lang()).to_owned())
    }
}

/// Page `page` (from 1, clamped) of a form's submissions, newest first. Listing with
/// personal data in view is audited.
pub async fn list(state: &AppState, operator: &Operator, form_id: &str, page: u64) -> Result<Listing> {
    let access = operator.form_access(form_id)?;
    let form = crate::forms::form(state, form_id).await?;
    let definition = match &form.current_version {
        Some(v) => crate::forms::version(state, form_id, v).await.ok().map(|p| p.definition),
        None => None,
    };
    let (total, _) = state.store.chain_head(form_id).await?;
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let stored = state.store.submissions_page(form_id, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    if access == FormAccess::Full && !stored.is_empty() {
        let detail = format!("page {page}, {} submissions", stored.len());
        audit::record(state, &operator.username, Action::SubmissionsListed, form_id, &detail).await?;
    }
    let rows = stored
        .into_iter()
        .map(|row| {
            let answers = reader::envelope_answers(row.envelope.as_ref());
            let mut preview = reader::answers(definition.as_ref(), answers, access, None);
            preview.truncate(PREVIEW_ANSWERS);
            Listed { id: row.submission_id, sequence: row.sequence, received_at: row.received_at, preview }
        })
        .collect();
    Ok(Listing { form, total, page, pages, access, rows })
}

/// One submission, checked now, as `operator` may see it. Audited with the view.
pub async fn read(state: &AppState, operator: &Operator, submission_id: &str) -> Result<Reading> {
    let checked = crate::submissions::checked(state, submission_id).await?;
    // A submission of a form the operator does not see does not exist for them.
    let access = operator.form_access(&checked.row.form_id).map_err(|e| match e {
        Error::NotFound(_) => Error::NotFound("submission"),
        other => other,
    })?;
    audit::record(state, &operator.username, Action::SubmissionViewed, submission_id, access.as_str()).await?;
    let definition =
        crate::forms::version(state, &checked.row.form_id, &checked.row.version).await.ok().map(|v| v.definition);
    let answers = reader::envelope_answers(checked.row.envelope.as_ref());
    let corrections = match access {
        FormAccess::Full => corrections(state, definition.as_ref(), &checked.row).await?,
        FormAccess::Compact => Vec::new(),
    };
    Ok(Reading {
        answers: reader::answers(definition.as_ref(), answers, access, None),
        signatures: reader::signatures(definition.as_ref(), answers, access),
        corrections,
        definition,
        access,
        checked,
    })
}

async fn corrections(
    state: &AppState,
    definition: Option<&FormDef>,
    row: &SubmissionRow,
) -> Result<Vec<ShownCorrection>> {
    let lang = definition.map_or("en", FormDef::default_lang);
    let found = crate::submissions::corrections(state, row).await?;
    Ok(found
        .into_iter()
        .map(|(signed, valid)| {
            let c = signed.correction;
            let field = definition.and_then(|d| d.field(&c.field));
            ShownCorrection {
                label: field.map_or(c.field.clone(), |f| f.label.get(lang).to_owned()),
                value: formseal_model::answer::answer_text(field.map(|f| &f.kind), &c.value),
                reason: c.reason,
                at: c.corrected_at,
                valid,
            }
        })
        .collect())
}

/// A stored envelope's member as text ("" when absent or deleted).
pub fn envelope_text(envelope: Option<&Value>, member: &str) -> String {
    envelope.and_then(|e| e.get(member)).and_then(Value::as_str).unwrap_or("").to_owned()
}
