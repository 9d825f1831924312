//! Telling console accounts that a form received a submission: a mail for each
//! one, or once a day a digest with the day's count. By default a mail holds no
//! answer (form, time, receipt id, a console link); a form's designer may let the
//! per-submission mail carry the answers classed "not personal". A digest never
//! holds an answer.

use formseal_model::form::{DataClass, FormDef};
use formseal_model::{Answers, Receipt};

use super::{To, new_mail};
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::permissions::{Operator, Permission, Role};
use crate::state::AppState;
use crate::store::{NewMessage, Notify};
use crate::time::rfc3339_ms;

/// At most this many accounts per form.
pub const MAX_RECIPIENTS: usize = 20;

/// Who may be told of a form's submissions, and who is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub username: String,
    pub has_address: bool,
    pub chosen: bool,
}

/// A form's notification settings, for its designer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Every account that may see the form's submissions.
    pub candidates: Vec<Candidate>,
    pub include_plain: bool,
    pub daily: bool,
}

/// A form's notification settings, for its designer: every account that may see
/// the form's submissions, and how they are told.
pub async fn settings(state: &AppState, operator: &Operator, form_id: &str) -> Result<Settings> {
    operator.require(Permission::DesignForms)?;
    let form = crate::forms::form(state, form_id).await?;
    let notify = form.notify.unwrap_or_default();
    let accounts = state.store.accounts().await?;
    let candidates = accounts
        .into_iter()
        .filter(|a| !a.disabled && sees(a, form_id))
        .map(|a| Candidate {
            chosen: notify.accounts.contains(&a.username),
            has_address: a.email.is_some(),
            username: a.username,
        })
        .collect();
    Ok(Settings { candidates, include_plain: notify.include_plain, daily: notify.daily })
}

/// Whether the account sees the form at all (partners: only assigned forms).
fn sees(account: &crate::store::AccountRow, form_id: &str) -> bool {
    Role::parse(&account.role).is_some_and(|role| {
        role != Role::Partner || account.forms.as_ref().is_some_and(|forms| forms.iter().any(|f| f == form_id))
    })
}

/// Sets who is told of the form's new submissions, and whether once a day
/// (`daily`) or for each; audited.
pub async fn set(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    accounts: Vec<String>,
    include_plain: bool,
    daily: bool,
) -> Result<()> {
    operator.require(Permission::DesignForms)?;
    crate::forms::form(state, form_id).await?;
    let mut accounts = accounts;
    accounts.sort();
    accounts.dedup();
    if accounts.len() > MAX_RECIPIENTS {
        return Err(Error::BadRequest(format!("at most {MAX_RECIPIENTS} accounts can be notified")));
    }
    if !accounts.is_empty() {
        super::mailer(state)?;
    }
    let known = state.store.accounts().await?;
    for username in &accounts {
        if !known.iter().any(|a| &a.username == username && !a.disabled && sees(a, form_id)) {
            return Err(Error::BadRequest(format!("{username:?} is not an account that may see this form")));
        }
    }
    let notify = Notify { accounts: accounts.clone(), include_plain, daily };
    state.store.set_notify(form_id, Some(&notify)).await?;
    let detail = match (accounts.is_empty(), daily, include_plain) {
        (true, _, _) => "nobody".to_owned(),
        (false, true, _) => format!("{}; a daily count, no answers", accounts.join(", ")),
        (false, false, false) => format!("{}; no answers in the mail", accounts.join(", ")),
        (false, false, true) => format!("{}; with the answers classed not personal", accounts.join(", ")),
    };
    audit::record(state, &operator.username, Action::NotificationsChanged, form_id, &detail).await
}

/// What a submission's notification mails need, prepared before the submission
/// takes its place in the chain (built into mails once its receipt exists).
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    form_id: String,
    title: String,
    accounts: Vec<String>,
    /// Label and text of each answer classed "not personal", when the form lets
    /// the mail carry them.
    plain: Option<Vec<(String, String)>>,
}

/// The notice for a submission of `definition` with `answers`, if anyone is to be
/// told and mail can be sent.
pub(crate) fn notice(
    state: &AppState,
    notify: Option<&Notify>,
    definition: &FormDef,
    answers: &Answers,
) -> Option<Notice> {
    // Daily: the digest tells them (see [`send_digests`]).
    let notify = notify.filter(|n| !n.accounts.is_empty() && !n.daily)?;
    state.mailer.as_ref()?;
    let lang = definition.languages.first().map_or("en", String::as_str);
    let plain = notify.include_plain.then(|| {
        definition
            .fields
            .iter()
            .filter(|f| f.class == DataClass::None)
            .filter_map(|f| {
                let value = answers.get(&f.key)?;
                let text = formseal_model::answer::answer_text(Some(&f.kind), value);
                (!text.is_empty()).then(|| (f.label.get(lang).to_owned(), text))
            })
            .collect()
    });
    Some(Notice {
        form_id: definition.id.clone(),
        title: definition.title.get(lang).to_owned(),
        accounts: notify.accounts.clone(),
        plain,
    })
}

impl Notice {
    /// One mail per account for the stored submission of `receipt`.
    pub(crate) fn mails(&self, state: &AppState, receipt: &Receipt) -> Vec<NewMessage> {
        let link =
            format!("{}/admin/forms/{}/submissions/{}", state.config.public_url, self.form_id, receipt.submission);
        let received = receipt.received_at.replace('T', " ").chars().take(16).collect::<String>();
        let text = crate::texts::submission_notice(
            &self.title,
            &received,
            &receipt.submission,
            receipt.sequence,
            &link,
            self.plain.as_deref(),
        );
        self.accounts
            .iter()
            .map(|account| {
                new_mail(state, "notification", To::Account(account), text.clone(), Some(&self.form_id), "system")
            })
            .collect()
    }
}

const DAY_MS: i64 = 86_400_000;

/// The daily digests of the day before `now_ms` (UTC): for each form notified
/// daily, one mail per chosen account with the count of that day's submissions
/// (none on a day without). Run by the outbox's sender on every replica: the
/// store records each form's digest with its mails, so each goes out once.
/// Returns how many mails this call queued.
pub async fn send_digests(state: &AppState, now_ms: i64) -> Result<usize> {
    if state.mailer.is_none() {
        return Ok(0);
    }
    let today_ms = now_ms - now_ms.rem_euclid(DAY_MS);
    let (from, to) = (rfc3339_ms(today_ms - DAY_MS), rfc3339_ms(today_ms));
    let day: String = from.chars().take(10).collect();
    let mut queued = 0;
    for (form, _) in state.store.forms().await? {
        let Some(notify) = form.notify.filter(|n| n.daily && !n.accounts.is_empty()) else { continue };
        if state.store.digest_done(&form.form_id, &day).await? {
            continue;
        }
        let count = state.store.received_between(&form.form_id, &from, &to).await?;
        let mails: Vec<NewMessage> = if count == 0 {
            Vec::new()
        } else {
            let link = format!("{}/admin/forms/{}", state.config.public_url, form.form_id);
            let text = crate::texts::digest(&form.title, &day, count, &link);
            notify
                .accounts
                .iter()
                .map(|a| new_mail(state, "digest", To::Account(a), text.clone(), Some(&form.form_id), "system"))
                .collect()
        };
        if state.store.queue_digest(&form.form_id, &day, count, &mails).await? {
            queued += mails.len();
        }
    }
    if queued > 0 {
        state.outbox_wake.notify_one();
    }
    // A week of records is enough to know what was sent.
    let week_ago: String = rfc3339_ms(today_ms - 7 * DAY_MS).chars().take(10).collect();
    state.store.forget_old_digests(&week_ago).await?;
    Ok(queued)
}
