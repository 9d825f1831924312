//! Personal links sent by mail: one (an address typed with the link) or many (a
//! CSV column of addresses). Sending is two steps: a check that renders the first
//! mails with their real values and counts them, creating and queueing nothing,
//! then the sending, which the operator confirms with the count the check showed.
//! The links, their mails and their reminders are written in one transaction.
//!
//! The server cannot make a link's URL again later (it keeps only the public key),
//! except for reminders: a send with reminders keeps each link's secret sealed
//! (`sealed`) until the last reminder, the link's use, revocation or expiry.

use chrono::DateTime;
use formseal_model::FormDef;
use serde::Serialize;

use super::csv::{BulkSettings, parse_csv_for_mail, refusal};
use super::template::{self, Template, Values};
use super::{CreatedLink, LinkSpec, check_spec, linkable_form, new_link};
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::messages::{self, To};
use crate::permissions::Operator;
use crate::state::AppState;
use crate::store::{NewMessage, NewReminder, TemplateRow};
use crate::time::now_ms;

/// The outbox's purpose of a personal link's mail, and of its reminders.
pub const PURPOSE: &str = "personal_link";
pub const REMINDER_PURPOSE: &str = "personal_link_reminder";
/// "Remind after N days": N from 1 to this.
pub const MAX_REMIND_DAYS: u32 = 60;
/// "At most M times": M from 0 (no reminders) to this.
pub const MAX_REMINDERS: u32 = 5;
/// Mails the check shows in full.
pub const PREVIEWED: usize = 3;
/// The CSV column of the addresses when the operator names none.
pub const DEFAULT_ADDRESS_COLUMN: &str = "email";

/// How the mails of one send go out.
#[derive(Debug, Clone, Default)]
pub struct MailSettings {
    /// One of the form's languages; empty: its first.
    pub lang: String,
    /// Days between the mail and the first reminder, and between reminders.
    pub remind_days: u32,
    /// Reminders at most (0: none).
    pub remind_times: u32,
    /// The CSV column with the addresses; empty: [`DEFAULT_ADDRESS_COLUMN`].
    pub address_column: String,
}

/// Whose links a send makes.
#[derive(Debug, Clone)]
pub enum Recipients<'a> {
    /// One link, to one address.
    One { spec: LinkSpec, to: &'a str },
    /// One link per CSV row, each to its row's address.
    Csv { text: &'a str, settings: &'a BulkSettings },
}

/// One mail as it will go out (in the check, the link is a placeholder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailShown {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// What the check answers: how many mails, the first few, and nothing queued.
#[derive(Debug, Clone, Serialize)]
pub struct MailCheck {
    pub count: usize,
    pub first: Vec<MailShown>,
    pub lang: String,
    /// The reminders, in words ("none", "after 3 days, at most 2 times").
    pub reminders: String,
}

/// What a confirmed send made: the links (with their secrets, shown this once)
/// and their queued mails.
#[derive(Debug, Clone, Serialize)]
pub struct MailedLinks {
    pub links: Vec<CreatedLink>,
    pub message_ids: Vec<String>,
}

/// A form's template for one language, and whether it is the form's own.
#[derive(Debug, Clone, Serialize)]
pub struct FormTemplate {
    pub lang: String,
    pub template: Template,
    pub custom: bool,
}

struct Recipient {
    spec: LinkSpec,
    to: String,
}

struct Prepared {
    form: FormDef,
    lang: String,
    template: Template,
    recipients: Vec<Recipient>,
    bulk: bool,
}

fn reminders_in_words(settings: &MailSettings) -> String {
    if settings.remind_times == 0 {
        "none".into()
    } else {
        format!("after {} days, at most {} times", settings.remind_days, settings.remind_times)
    }
}

fn check_reminders(settings: &MailSettings) -> Result<()> {
    if settings.remind_times > MAX_REMINDERS {
        return Err(Error::BadRequest(format!("at most {MAX_REMINDERS} reminders")));
    }
    if settings.remind_times > 0 && !(1..=MAX_REMIND_DAYS).contains(&settings.remind_days) {
        return Err(Error::BadRequest(format!("reminders come after 1 to {MAX_REMIND_DAYS} days")));
    }
    Ok(())
}

/// The language of the mails: one the form is written in.
fn language(form: &FormDef, wanted: &str) -> Result<String> {
    let wanted = wanted.trim();
    if wanted.is_empty() {
        return Ok(form.default_lang().to_owned());
    }
    if form.languages.iter().any(|l| l == wanted) {
        Ok(wanted.to_owned())
    } else {
        Err(Error::BadRequest(format!(
            "the form is not written in {wanted:?}; its languages: {}",
            form.languages.join(", ")
        )))
    }
}

/// The template a form's mails in `lang` use: its own, or the default.
pub(super) async fn template_for(state: &AppState, form_id: &str, lang: &str) -> Result<Template> {
    Ok(match state.store.link_mail_template(form_id, lang).await? {
        Some(TemplateRow { subject, text, .. }) => Template { subject, text },
        None => Template::default_for(lang),
    })
}

/// The values of one mail; `recipient` falls back to the address.
pub(super) fn values<'a>(
    form: &'a FormDef,
    lang: &str,
    label: Option<&'a str>,
    to: &'a str,
    link: &'a str,
    expires: &'a str,
) -> Values<'a> {
    Values {
        recipient: label.filter(|l| !l.trim().is_empty()).unwrap_or(to),
        link,
        expires,
        controller: &form.notice.controller.name,
        form: form.title.get(lang),
    }
}

async fn prepare(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    recipients: Recipients<'_>,
    settings: &MailSettings,
) -> Result<Prepared> {
    let form = linkable_form(state, operator, form_id).await?;
    messages::mailer(state)?;
    check_reminders(settings)?;
    let lang = language(&form, &settings.lang)?;
    let template = template_for(state, form_id, &lang).await?;
    let (recipients, bulk) = match recipients {
        Recipients::One { spec, to } => {
            let to = messages::normalise_address(to)?;
            check_spec(&form, &spec).map_err(Error::Validation)?;
            (vec![Recipient { spec, to }], false)
        }
        Recipients::Csv { text, settings: bulk } => {
            let column = match settings.address_column.trim() {
                "" => DEFAULT_ADDRESS_COLUMN,
                column => column,
            };
            let preview = parse_csv_for_mail(text, &form, bulk, column);
            if !preview.is_clean() {
                return Err(refusal(&preview));
            }
            let rows = preview
                .rows
                .into_iter()
                .filter_map(|r| match r.into_spec(bulk) {
                    (spec, Some(to)) => Some(Recipient { spec, to }),
                    (_, None) => None,
                })
                .collect();
            (rows, true)
        }
    };
    Ok(Prepared { form, lang, template, recipients, bulk })
}

/// The check before sending: the number of mails and the first [`PREVIEWED`] of
/// them rendered with their real values (the links, made only when sending, are a
/// placeholder). Creates and queues nothing.
pub async fn check_mail(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    recipients: Recipients<'_>,
    settings: &MailSettings,
) -> Result<MailCheck> {
    let prepared = prepare(state, operator, form_id, recipients, settings).await?;
    let placeholder = crate::texts::link_placeholder(&state.config.public_url);
    let first = prepared
        .recipients
        .iter()
        .take(PREVIEWED)
        .map(|r| {
            let expires = crate::texts::link_expires(&prepared.lang, now_ms() + i64::from(r.spec.days) * 86_400_000);
            let values = values(&prepared.form, &prepared.lang, r.spec.label.as_deref(), &r.to, &placeholder, &expires);
            let mail = template::render(&prepared.template, &values);
            MailShown { to: r.to.clone(), subject: mail.subject, text: mail.text }
        })
        .collect();
    Ok(MailCheck {
        count: prepared.recipients.len(),
        first,
        lang: prepared.lang,
        reminders: reminders_in_words(settings),
    })
}

/// Sends: creates the links, queues one mail each and stores the reminders, in
/// one transaction, provided `confirmed` is the count the check showed (a file
/// changed since is checked again, not sent). Audited with the form and count.
pub async fn send_mail(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    recipients: Recipients<'_>,
    settings: &MailSettings,
    confirmed: usize,
) -> Result<MailedLinks> {
    let prepared = prepare(state, operator, form_id, recipients, settings).await?;
    let count = prepared.recipients.len();
    if confirmed != count {
        return Err(Error::Conflict(format!(
            "the check showed {confirmed} messages, but this would send {count}: check again before sending"
        )));
    }
    let seal_key = if settings.remind_times > 0 { Some(state.keys.link_seal_key()?) } else { None };
    let batch = prepared.bulk.then(|| uuid::Uuid::now_v7().to_string());
    let now = now_ms();
    let every_ms = i64::from(settings.remind_days) * state.config.reminder_day_ms;
    let (mut rows, mut links, mut mails, mut reminders) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for recipient in prepared.recipients {
        let label = recipient.spec.label.clone();
        let (row, created) = new_link(state, operator, form_id, recipient.spec, batch.as_deref())?;
        let expires_ms = DateTime::parse_from_rfc3339(&created.expires_at).map_or(now, |t| t.timestamp_millis());
        let expires = crate::texts::link_expires(&prepared.lang, expires_ms);
        let values = values(&prepared.form, &prepared.lang, label.as_deref(), &recipient.to, &created.url, &expires);
        let text = template::render(&prepared.template, &values);
        let mut mail =
            messages::new_mail(state, PURPOSE, To::Address(&recipient.to), text, Some(form_id), &operator.username);
        mail.link_id = Some(created.link_id.clone());
        if let Some(key) = &seal_key {
            // The part after `#`: what the server otherwise never holds.
            let secret = created.url.split_once('#').map(|(_, s)| s).unwrap_or_default();
            reminders.push(NewReminder {
                link_id: created.link_id.clone(),
                form_id: form_id.to_owned(),
                to_address: recipient.to.clone(),
                lang: prepared.lang.clone(),
                every_ms,
                left: settings.remind_times,
                next_ms: now + every_ms,
                expires_at: created.expires_at.clone(),
                sealed: super::sealed::seal(key, &created.link_id, secret)?,
                created_by: operator.username.clone(),
            });
        }
        rows.push(row);
        mails.push(mail);
        links.push(created);
    }
    let object = batch.clone().unwrap_or_else(|| links.first().map(|l| l.link_id.clone()).unwrap_or_default());
    let detail = format!(
        "{form_id}: {count} personal-link {} ({}) in {}, reminders {}",
        if count == 1 { "mail" } else { "mails" },
        if prepared.bulk { "from a CSV" } else { "one link" },
        prepared.lang,
        reminders_in_words(settings)
    );
    let (created_action, created_detail) = if prepared.bulk {
        (Action::LinksImported, format!("{form_id}: {count} links from CSV, sent by mail"))
    } else {
        (Action::LinkCreated, format!("{form_id}: 1 link, sent by mail"))
    };
    audit::record(state, &operator.username, created_action, &object, &created_detail).await?;
    audit::record(state, &operator.username, Action::LinkMailsQueued, &object, &detail).await?;
    state.store.create_mailed_links(&rows, &mails, &reminders).await?;
    state.outbox_wake.notify_one();
    Ok(MailedLinks { links, message_ids: mails.into_iter().map(|m: NewMessage| m.message_id).collect() })
}

/// A form's mail template in each of its languages (its own, or the default).
pub async fn templates(state: &AppState, operator: &Operator, form_id: &str) -> Result<Vec<FormTemplate>> {
    let form = linkable_form(state, operator, form_id).await?;
    let own = state.store.link_mail_templates(form_id).await?;
    Ok(form
        .languages
        .iter()
        .map(|lang| match own.iter().find(|t| &t.lang == lang) {
            Some(t) => FormTemplate {
                lang: lang.clone(),
                template: Template { subject: t.subject.clone(), text: t.text.clone() },
                custom: true,
            },
            None => FormTemplate { lang: lang.clone(), template: Template::default_for(lang), custom: false },
        })
        .collect())
}

/// Sets a form's template for `lang`; `None` goes back to the default. Unknown
/// variables and other problems are refused, each naming its part. Audited.
pub async fn set_template(
    state: &AppState,
    operator: &Operator,
    form_id: &str,
    lang: &str,
    template: Option<Template>,
) -> Result<()> {
    let form = linkable_form(state, operator, form_id).await?;
    let lang = language(&form, lang)?;
    if let Some(template) = &template {
        let problems = template::check(template);
        if !problems.is_empty() {
            return Err(Error::BadRequest(problems.join("; ")));
        }
    }
    let detail = format!("{form_id} ({lang}): {}", if template.is_some() { "changed" } else { "back to the default" });
    audit::record(state, &operator.username, Action::LinkMailTemplateChanged, form_id, &detail).await?;
    let parts = template.as_ref().map(|t| (t.subject.as_str(), t.text.as_str()));
    state.store.set_link_mail_template(form_id, &lang, parts, &operator.username, now_ms()).await
}

/// The mail status of one link, from the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkMail {
    /// The latest message's status: `queued`, `sending`, `sent` or `failed`.
    pub status: String,
    /// Why the latest message failed.
    pub error: Option<String>,
    /// Reminders queued or sent (not failed).
    pub reminders: u32,
}

/// The mail status of every mailed link of a form, by link id.
pub(super) async fn statuses(state: &AppState, form_id: &str) -> Result<std::collections::HashMap<String, LinkMail>> {
    let mut out: std::collections::HashMap<String, LinkMail> = std::collections::HashMap::new();
    // Oldest first: the last one seen is the latest.
    for m in state.store.link_messages(form_id).await? {
        let entry =
            out.entry(m.link_id).or_insert_with(|| LinkMail { status: String::new(), error: None, reminders: 0 });
        if m.purpose == REMINDER_PURPOSE && m.status != "failed" {
            entry.reminders += 1;
        }
        let failed = m.status == "failed";
        entry.status = m.status;
        entry.error = m.last_error.filter(|_| failed);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_are_bounded() {
        let ok = MailSettings { remind_days: 3, remind_times: 2, ..Default::default() };
        assert!(check_reminders(&ok).is_ok());
        assert!(check_reminders(&MailSettings { remind_days: 0, remind_times: 0, ..Default::default() }).is_ok());
        for (days, times) in [(0, 1), (61, 1), (3, 6)] {
            let bad = MailSettings { remind_days: days, remind_times: times, ..Default::default() };
            assert!(check_reminders(&bad).is_err(), "{days} days, {times} times");
        }
        assert_eq!(reminders_in_words(&ok), "after 3 days, at most 2 times");
    }

    #[test]
    fn the_language_is_one_of_the_form() {
        let form = formseal_model::demo::contact_tracing();
        assert_eq!(language(&form, "").unwrap(), form.default_lang());
        assert!(language(&form, "xx").is_err());
        let other = form.languages.last().unwrap().clone();
        assert_eq!(language(&form, &other).unwrap(), other);
    }
}
