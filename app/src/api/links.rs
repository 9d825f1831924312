//! Server functions of personal links: list (with a status filter), create one,
//! bulk-create from CSV (preview first), send by mail (one or a CSV's, checked
//! first, then sent), the form's mail templates, revoke, extend. The secret of a
//! new link is in the answer of the call that created it and in its mail, and
//! nowhere else (reminders keep it sealed until the link's end).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::ConsoleError;

#[cfg(feature = "ssr")]
use formseal_core::permissions::Permission;

/// A field the operator may prefill.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrefillField {
    pub key: String,
    pub label: String,
    pub kind: String,
    pub personal: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkItem {
    pub id: String,
    pub label: String,
    pub note: String,
    pub status: String,
    pub single_use: bool,
    pub uses: u64,
    pub created_at: String,
    pub created_by: String,
    pub expires_at: String,
    pub opened_at: String,
    pub submitted_at: String,
    /// Sent by mail: `queued`, `sending`, `sent` or `failed` (empty: not sent by mail).
    pub mail_status: String,
    /// Why the mail failed.
    pub mail_error: String,
    /// Reminders queued or sent.
    pub reminders: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkList {
    pub form_id: String,
    pub title: String,
    pub items: Vec<LinkItem>,
    pub fields: Vec<PrefillField>,
    /// Whether this operator may create, revoke and extend links.
    pub can_manage: bool,
    /// The form's general link (no prefill, no personal key) and its QR code.
    pub general_url: String,
    pub general_qr_svg: String,
    pub general_qr_png: String,
    /// The mail server links are sent through; `None`: this instance sends no mail
    /// (the links are copied by hand).
    pub mail_server: Option<String>,
    /// The form's languages (the mails' language is one of them).
    pub languages: Vec<String>,
}

/// A link just made: the only time its secret URL is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewLinkInfo {
    pub id: String,
    pub url: String,
    pub expires_at: String,
    /// `data:` URLs for download.
    pub qr_svg: String,
    pub qr_png: String,
    /// The SVG markup itself, to show.
    pub qr_svg_markup: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CsvRowItem {
    pub row: usize,
    pub label: String,
    pub values: String,
    pub errors: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CsvCheck {
    pub columns: Vec<String>,
    pub rows: Vec<CsvRowItem>,
    pub errors: Vec<String>,
    pub clean: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CsvImported {
    pub count: usize,
    /// The created links as CSV (with their secret URLs), as a `data:` URL.
    pub csv_download: String,
}

/// Personal links to send by mail: one (`to`, with the link's label, note and
/// prefill as for `create-link`) or, when `csv` is given, one per CSV row, each to
/// the address in its `address_column` (empty: `email`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkMailRequest {
    pub form: String,
    pub label: String,
    pub note: String,
    /// A JSON object of field key to the text typed.
    pub prefill: String,
    pub to: String,
    pub csv: String,
    pub address_column: String,
    /// Field keys separated by commas.
    pub locked: String,
    pub single_use: bool,
    pub days: u32,
    /// One of the form's languages; empty: its first.
    pub lang: String,
    /// Remind after this many days (1 to 60) …
    pub remind_days: u32,
    /// … at most this many times (0: no reminders; at most 5).
    pub remind_times: u32,
}

/// One mail as the check shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MailPreviewItem {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// The check before sending: nothing is created or queued yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkMailCheck {
    pub count: usize,
    pub first: Vec<MailPreviewItem>,
    pub lang: String,
    pub reminders: String,
}

/// What a confirmed send queued.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkMailSent {
    pub count: usize,
    /// One link: its URL, to copy as well (shown this once).
    pub url: String,
    /// Many: the links as CSV (with their secret URLs), as a `data:` URL.
    pub csv_download: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MailTemplateItem {
    pub lang: String,
    pub subject: String,
    pub text: String,
    /// The form's own (else the default of the language).
    pub custom: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MailTemplateList {
    pub items: Vec<MailTemplateItem>,
    /// `{recipient}`, `{link}` …
    pub variables: Vec<String>,
}

/// The check: the number of mails and the first three, rendered; queues nothing.
#[server(prefix = "/admin/fn", endpoint = "check-link-mail", input = Json)]
pub async fn check_link_mail(request: LinkMailRequest) -> Result<LinkMailCheck, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    ssr::check_mail(&state, &operator, request).await.map_err(super::ssr::public)
}

/// Sends what the check showed; `confirm` is the count it showed.
#[server(prefix = "/admin/fn", endpoint = "send-link-mail", input = Json)]
pub async fn send_link_mail(request: LinkMailRequest, confirm: usize) -> Result<LinkMailSent, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    ssr::send_mail(&state, &operator, request, confirm).await.map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "link-mail-templates")]
pub async fn link_mail_templates(form: String) -> Result<MailTemplateList, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let items = formseal_core::links::templates(&state, &operator, &form).await.map_err(super::ssr::public)?;
    Ok(MailTemplateList {
        items: items
            .into_iter()
            .map(|t| MailTemplateItem {
                lang: t.lang,
                subject: t.template.subject,
                text: t.template.text,
                custom: t.custom,
            })
            .collect(),
        variables: formseal_core::links::template::VARIABLES.iter().map(|v| format!("{{{v}}}")).collect(),
    })
}

/// Saves a form's mail template for `lang`; `reset`: back to the default.
#[server(prefix = "/admin/fn", endpoint = "save-link-mail-template")]
pub async fn save_link_mail_template(
    form: String,
    lang: String,
    subject: String,
    text: String,
    reset: bool,
) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let template = (!reset).then_some(formseal_core::links::template::Template { subject, text });
    formseal_core::links::set_template(&state, &operator, &form, &lang, template).await.map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "links")]
pub async fn list_links(form: String, status: String) -> Result<LinkList, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    ssr::list(&state, &operator, &form, &status).await.map_err(super::ssr::public)
}

/// `prefill`: a JSON object of field key to the text typed; `locked`: field keys
/// separated by commas; `days`: how long the link stays open.
#[server(prefix = "/admin/fn", endpoint = "create-link")]
pub async fn create_link(
    form: String,
    label: String,
    note: String,
    days: u32,
    single_use: bool,
    prefill: String,
    locked: String,
) -> Result<NewLinkInfo, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let typed = ssr::TypedLink { label, note, days, single_use, prefill, locked };
    ssr::create(&state, &operator, &form, typed).await.map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "revoke-link")]
pub async fn revoke_link(id: String) -> Result<(), ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::links::revoke(&state, &operator, &id).await.map_err(super::ssr::public)
}

/// Sets the link to expire `days` from now; 0 ends it now.
#[server(prefix = "/admin/fn", endpoint = "extend-link")]
pub async fn extend_link(id: String, days: u32) -> Result<String, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    formseal_core::links::extend(&state, &operator, &id, days).await.map_err(super::ssr::public)
}

#[server(prefix = "/admin/fn", endpoint = "check-links-csv")]
pub async fn check_links_csv(
    form: String,
    csv: String,
    locked: String,
    single_use: bool,
    days: u32,
) -> Result<CsvCheck, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let settings = ssr::settings(&locked, single_use, days);
    let preview = formseal_core::links::preview_csv(&state, &operator, &form, &csv, &settings)
        .await
        .map_err(super::ssr::public)?;
    Ok(CsvCheck {
        clean: preview.is_clean(),
        columns: preview.columns,
        errors: preview.errors,
        rows: preview
            .rows
            .into_iter()
            .map(|r| CsvRowItem {
                row: r.row,
                label: r.label.unwrap_or_default(),
                values: r
                    .prefill
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", ssr::short(v)))
                    .collect::<Vec<_>>()
                    .join(" · "),
                errors: r.errors,
            })
            .collect(),
    })
}

#[server(prefix = "/admin/fn", endpoint = "import-links-csv")]
pub async fn import_links_csv(
    form: String,
    csv: String,
    locked: String,
    single_use: bool,
    days: u32,
) -> Result<CsvImported, ConsoleError> {
    let (state, operator) = super::ssr::operator().await?;
    let settings = ssr::settings(&locked, single_use, days);
    let created = formseal_core::links::import_csv(&state, &operator, &form, &csv, &settings)
        .await
        .map_err(super::ssr::public)?;
    let text = formseal_core::links::links_csv(&created).map_err(super::ssr::public)?;
    Ok(CsvImported { count: created.len(), csv_download: formseal_core::links::data_url("text/csv", text.as_bytes()) })
}

#[cfg(feature = "ssr")]
mod ssr {
    use formseal_core::accounts::Operator;
    use formseal_core::links::{self, BulkSettings, LinkSpec, LinkStatus, MailSettings, Recipients};
    use formseal_core::{AppState, Error};
    use formseal_model::{Answers, DataClass};
    use serde_json::Value;

    use super::*;

    pub fn settings(locked: &str, single_use: bool, days: u32) -> BulkSettings {
        BulkSettings { locked: keys(locked), single_use, days }
    }

    fn keys(text: &str) -> Vec<String> {
        text.split(',').map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned).collect()
    }

    /// Problems by field, as one sentence the console can show.
    fn readable(e: Error) -> Error {
        match e {
            Error::Validation(problems) => Error::BadRequest(
                problems
                    .iter()
                    .map(|p| format!("{}: {}", p.field, p.problem.message("en")))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => other,
        }
    }

    pub fn short(value: &Value) -> String {
        match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    pub async fn list(state: &AppState, operator: &Operator, form_id: &str, status: &str) -> Result<LinkList, Error> {
        let only = match status.trim() {
            "" | "all" => None,
            s => Some(LinkStatus::parse(s).ok_or_else(|| Error::BadRequest(format!("unknown status {s:?}")))?),
        };
        let links = links::list(state, operator, form_id, only).await?;
        let version = formseal_core::forms::current(state, form_id).await?;
        let def = &version.definition;
        let lang = def.default_lang().to_owned();
        let fields = def
            .fields
            .iter()
            .filter(|f| {
                !f.kind.is_static()
                    && !matches!(
                        f.kind,
                        formseal_model::FieldKind::Consent { .. }
                            | formseal_model::FieldKind::Signature { .. }
                            | formseal_model::FieldKind::Calculation { .. }
                    )
            })
            .map(|f| PrefillField {
                key: f.key.clone(),
                label: f.label.get(&lang).to_owned(),
                kind: f.kind.type_name().to_owned(),
                personal: f.class != DataClass::None,
            })
            .collect();
        let general_url = links::form_url(state, form_id);
        let svg = links::qr_svg(&general_url)?;
        let png = links::qr_png(&general_url)?;
        Ok(LinkList {
            form_id: form_id.to_owned(),
            title: def.title.get(&lang).to_owned(),
            can_manage: operator.can(Permission::ManageLinks),
            items: links
                .into_iter()
                .map(|l| LinkItem {
                    id: l.link_id,
                    label: l.label.unwrap_or_default(),
                    note: l.note.unwrap_or_default(),
                    status: l.status.as_str().to_owned(),
                    single_use: l.single_use,
                    uses: l.uses,
                    created_at: l.created_at,
                    created_by: l.created_by,
                    expires_at: l.expires_at,
                    opened_at: l.opened_at.unwrap_or_default(),
                    submitted_at: l.submitted_at.unwrap_or_default(),
                    mail_status: l.mail.as_ref().map(|m| m.status.clone()).unwrap_or_default(),
                    mail_error: l.mail.as_ref().and_then(|m| m.error.clone()).unwrap_or_default(),
                    reminders: l.mail.as_ref().map_or(0, |m| m.reminders),
                })
                .collect(),
            fields,
            general_qr_svg: links::data_url("image/svg+xml", svg.as_bytes()),
            general_qr_png: links::data_url("image/png", &png),
            general_url,
            mail_server: formseal_core::messages::describe(state),
            languages: def.languages.clone(),
        })
    }

    /// One link as typed in the console.
    pub struct TypedLink {
        pub label: String,
        pub note: String,
        pub days: u32,
        pub single_use: bool,
        /// A JSON object of field key to the text typed.
        pub prefill: String,
        /// Field keys separated by commas.
        pub locked: String,
    }

    pub async fn create(
        state: &AppState,
        operator: &Operator,
        form_id: &str,
        typed: TypedLink,
    ) -> Result<NewLinkInfo, Error> {
        let spec = typed_spec(state, operator, form_id, typed).await?;
        let created = links::create(state, operator, form_id, spec).await.map_err(readable)?;
        let svg = links::qr_svg(&created.url)?;
        let png = links::qr_png(&created.url)?;
        Ok(NewLinkInfo {
            id: created.link_id,
            url: created.url,
            expires_at: created.expires_at,
            qr_svg: links::data_url("image/svg+xml", svg.as_bytes()),
            qr_png: links::data_url("image/png", &png),
            qr_svg_markup: svg,
        })
    }

    /// The link's choices from what was typed, checked against the form.
    async fn typed_spec(
        state: &AppState,
        operator: &Operator,
        form_id: &str,
        link: TypedLink,
    ) -> Result<LinkSpec, Error> {
        let TypedLink { label, note, days, single_use, prefill, locked } = link;
        let typed: std::collections::BTreeMap<String, String> = if prefill.trim().is_empty() {
            Default::default()
        } else {
            serde_json::from_str(&prefill).map_err(|_| Error::BadRequest("prefill must be a JSON object".into()))?
        };
        // Through the core's check: the definition of a form this operator may not
        // make links for (its field keys) must not show through the prefill's problems.
        let definition = links::linkable_form(state, operator, form_id).await?;
        let mut answers = Answers::new();
        let mut problems = Vec::new();
        for (key, text) in typed.into_iter().filter(|(_, t)| !t.trim().is_empty()) {
            match definition.field(&key) {
                Some(field) => match links::prefill_value(&field.kind, &text) {
                    Ok(value) => {
                        answers.insert(key, value);
                    }
                    Err(problem) => problems.push(formseal_model::FieldError { field: key, problem }),
                },
                None => problems
                    .push(formseal_model::FieldError { field: key, problem: formseal_model::Problem::UnknownField }),
            }
        }
        if !problems.is_empty() {
            return Err(readable(Error::Validation(problems)));
        }
        formseal_model::normalize(&definition, &mut answers);
        Ok(LinkSpec {
            label: Some(label.trim().to_owned()).filter(|l| !l.is_empty()),
            note: Some(note.trim().to_owned()).filter(|n| !n.is_empty()),
            prefill: answers,
            locked: keys(&locked),
            single_use,
            days,
        })
    }

    fn mail_settings(request: &LinkMailRequest) -> MailSettings {
        MailSettings {
            lang: request.lang.clone(),
            remind_days: request.remind_days,
            remind_times: request.remind_times,
            address_column: request.address_column.clone(),
        }
    }

    /// Whose links a request makes, owned (the core borrows from it).
    enum Owned {
        One(LinkSpec, String),
        Csv(String, BulkSettings),
    }

    impl Owned {
        fn recipients(&self) -> Recipients<'_> {
            match self {
                Owned::One(spec, to) => Recipients::One { spec: spec.clone(), to },
                Owned::Csv(text, settings) => Recipients::Csv { text, settings },
            }
        }
    }

    /// The recipients the request names: its CSV's rows, or the one link it describes.
    async fn owned(state: &AppState, operator: &Operator, request: LinkMailRequest) -> Result<Owned, Error> {
        if request.csv.trim().is_empty() {
            let typed = TypedLink {
                label: request.label,
                note: request.note,
                days: request.days,
                single_use: request.single_use,
                prefill: request.prefill,
                locked: request.locked,
            };
            let spec = typed_spec(state, operator, &request.form, typed).await?;
            Ok(Owned::One(spec, request.to))
        } else {
            let bulk = settings(&request.locked, request.single_use, request.days);
            Ok(Owned::Csv(request.csv, bulk))
        }
    }

    pub async fn check_mail(
        state: &AppState,
        operator: &Operator,
        request: LinkMailRequest,
    ) -> Result<LinkMailCheck, Error> {
        let (form, mail) = (request.form.clone(), mail_settings(&request));
        let owned = owned(state, operator, request).await?;
        let check = links::check_mail(state, operator, &form, owned.recipients(), &mail).await.map_err(readable)?;
        Ok(LinkMailCheck {
            count: check.count,
            first: check
                .first
                .into_iter()
                .map(|m| MailPreviewItem { to: m.to, subject: m.subject, text: m.text })
                .collect(),
            lang: check.lang,
            reminders: check.reminders,
        })
    }

    pub async fn send_mail(
        state: &AppState,
        operator: &Operator,
        request: LinkMailRequest,
        confirm: usize,
    ) -> Result<LinkMailSent, Error> {
        let (form, mail) = (request.form.clone(), mail_settings(&request));
        let bulk = !request.csv.trim().is_empty();
        let owned = owned(state, operator, request).await?;
        let sent =
            links::send_mail(state, operator, &form, owned.recipients(), &mail, confirm).await.map_err(readable)?;
        let count = sent.links.len();
        if bulk {
            let text = links::links_csv(&sent.links)?;
            let csv_download = links::data_url("text/csv", text.as_bytes());
            Ok(LinkMailSent { count, url: String::new(), csv_download })
        } else {
            let url = sent.links.into_iter().next().map(|l| l.url).unwrap_or_default();
            Ok(LinkMailSent { count, url, csv_download: String::new() })
        }
    }
}
