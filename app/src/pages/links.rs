//! Personal links of one form: create one (prefill, locked fields, expiry, single
//! or multi use, note), create many from a CSV (checked first, all or nothing),
//! the list with a status filter, revoke and extend, QR codes.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use wasm_bindgen::JsCast as _;

use super::link_mail::{MailCheckView, MailFlow, MailOptions, MailTemplates, read_options, start_check};
use super::{load_error, loading};
use crate::api::{
    CsvCheck, CsvImported, LinkList, LinkMailRequest, NewLinkInfo, check_links_csv, create_link, extend_link,
    import_links_csv, list_links, revoke_link,
};

/// The named value of the form that sent `ev`.
fn form_data(ev: &leptos::ev::SubmitEvent) -> Option<web_sys::FormData> {
    let form = ev.target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
    web_sys::FormData::new_with_form(&form).ok()
}

fn text(data: &web_sys::FormData, name: &str) -> String {
    data.get(name).as_string().unwrap_or_default()
}

fn all(data: &web_sys::FormData, name: &str) -> Vec<String> {
    data.get_all(name).iter().filter_map(|v| v.as_string()).collect()
}

#[component]
pub fn LinksPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let form = move || params.read().get("form").unwrap_or_default();
    let status = move || query.read().get("status").unwrap_or_default();
    let changed = RwSignal::new(0u32);
    // Kept outside the list, which is rebuilt after every change: the secret URL of
    // a new link must stay on screen.
    let kept = Kept {
        message: RwSignal::new(None),
        created: RwSignal::new(None),
        csv: RwSignal::new(String::new()),
        checked: RwSignal::new(None),
        imported: RwSignal::new(None),
        one_mail: MailFlow::default(),
        bulk_mail: MailFlow::default(),
    };
    let list = Resource::new(move || (form(), status(), changed.get()), |(form, status, _)| list_links(form, status));
    view! {
        <Title text="Personal links · Formseal" />
        <p><a href=move || format!("/admin/forms/{}", form())>"← Submissions"</a></p>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => load_error(e),
                    Ok(list) => view! { <LinksView list=list status=status() changed=changed kept=kept /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What the page keeps across reloads of the list.
#[derive(Clone, Copy)]
struct Kept {
    message: RwSignal<Option<String>>,
    created: RwSignal<Option<Result<NewLinkInfo, String>>>,
    csv: RwSignal<String>,
    checked: RwSignal<Option<Result<CsvCheck, String>>>,
    imported: RwSignal<Option<Result<CsvImported, String>>>,
    one_mail: MailFlow,
    bulk_mail: MailFlow,
}

#[component]
fn LinksView(list: LinkList, status: String, changed: RwSignal<u32>, kept: Kept) -> impl IntoView {
    let form_id = list.form_id.clone();
    let can_manage = list.can_manage;
    let message = kept.message;
    let revoke = Action::new(|id: &String| revoke_link(id.clone()));
    let extend = Action::new(|(id, days): &(String, u32)| extend_link(id.clone(), *days));
    Effect::new(move |_| {
        let outcome = revoke.value().get().map(|r| r.map(|_| "The link was revoked.".to_owned()));
        let outcome =
            outcome.or_else(|| extend.value().get().map(|r| r.map(|until| format!("The link now expires {until}."))));
        if let Some(result) = outcome {
            message.set(Some(result.unwrap_or_else(|e| e.message)));
            changed.update(|n| *n += 1);
        }
    });
    let filter_options = ["all", "created", "opened", "submitted", "expired", "revoked"]
        .into_iter()
        .map(|s| {
            let selected = status == s || (status.is_empty() && s == "all");
            view! { <option value=s selected=selected>{s}</option> }
        })
        .collect_view();
    let empty = list.items.is_empty();
    let rows = list
        .items
        .into_iter()
        .map(|l| {
            let (revoke_id, extend_id, end_id) = (l.id.clone(), l.id.clone(), l.id.clone());
            let open = l.status != "revoked";
            view! {
                <tr data-link=l.id.clone() data-status=l.status.clone()>
                    <td>{if l.label.is_empty() { "—".to_owned() } else { l.label.clone() }}
                        {(!l.note.is_empty()).then(|| view! { <div class="muted">{l.note.clone()}</div> })}
                        <div><code class="small">{l.id.clone()}</code></div>
                    </td>
                    <td><span class=format!("status link-{}", l.status)>{l.status.clone()}</span></td>
                    <td>{if l.single_use { "single use".to_owned() } else { format!("multi use ({})", l.uses) }}</td>
                    <td>{l.created_at.clone()}<div class="muted">{l.created_by.clone()}</div></td>
                    <td>{l.expires_at.clone()}</td>
                    <td>{l.opened_at.clone()}</td>
                    <td>{l.submitted_at.clone()}</td>
                    <td data-mail=l.mail_status.clone()>{mail_cell(&l)}</td>
                    <td>
                        {(can_manage && open).then(|| view! {
                            <button type="button" on:click=move |_| { revoke.dispatch(revoke_id.clone()); }>"Revoke"</button>
                            <button type="button" on:click=move |_| { extend.dispatch((extend_id.clone(), 30)); }>"Extend 30 days"</button>
                            <button type="button" on:click=move |_| { extend.dispatch((end_id.clone(), 0)); }>"End now"</button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>"Personal links: "{list.title.clone()}</h1>
        <p class="muted">"Each link carries its own signing key. Its secret is in the part of the link after “#”, which browsers never send to a server: it is shown once, when the link is made, and is not stored."</p>
        {move || message.get().map(|m| view! { <p class="notice" role="status">{m}</p> })}
        <section class="card">
            <h2>"General link"</h2>
            <p>"For everyone (no prefill, no personal key): "<a href=list.general_url.clone()>{list.general_url.clone()}</a></p>
            <p>
                <a download=format!("{form_id}-qr.svg") href=list.general_qr_svg.clone()>"QR code (SVG)"</a>" · "
                <a download=format!("{form_id}-qr.png") href=list.general_qr_png.clone()>"QR code (PNG)"</a>
            </p>
        </section>
        {match (&list.mail_server, can_manage) {
            (_, false) => None,
            (Some(server), true) => Some(view! { <p class="muted">"Links can also go by mail, through "{server.clone()}"."</p> }.into_any()),
            (None, true) => Some(view! { <p class="muted">"This instance sends no mail (no mail server is set up: the server's --smtp-url option): copy the links and hand them out yourself."</p> }.into_any()),
        }}
        {can_manage.then(|| {
            let mail = list.mail_server.is_some().then(|| list.languages.clone());
            view! {
                <CreateLink form_id=form_id.clone() fields=list.fields.clone() changed=changed created=kept.created
                    mail=mail.clone() flow=kept.one_mail />
                <BulkLinks form_id=form_id.clone() fields=list.fields.clone() changed=changed kept=kept mail=mail />
                <MailTemplates form_id=form_id.clone() />
            }
            .into_any()
        })}
        <section class="card">
            <h2>"Links"</h2>
            <form method="get" class="inline-form">
                <label for="link-status">"Status"</label>
                <select id="link-status" name="status">{filter_options}</select>
                <button type="submit">"Filter"</button>
            </form>
            {if empty {
                view! { <p>"No links here."</p> }.into_any()
            } else {
                view! {
                    <table class="list links">
                        <thead><tr>
                            <th>"Recipient"</th><th>"Status"</th><th>"Use"</th><th>"Created"</th><th>"Expires"</th>
                            <th>"Opened"</th><th>"Submitted"</th><th>"Mail"</th><th>"Actions"</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// A mailed link's fate: sent / failed (why) / reminded ×n.
fn mail_cell(link: &crate::api::LinkItem) -> String {
    let reminded = if link.reminders > 0 { format!(", reminded ×{}", link.reminders) } else { String::new() };
    match link.mail_status.as_str() {
        "" => "—".to_owned(),
        "failed" => format!("failed: {}{reminded}", link.mail_error),
        "queued" | "sending" => format!("sending{reminded}"),
        other => format!("{other}{reminded}"),
    }
}

#[component]
fn CreateLink(
    form_id: String,
    fields: Vec<crate::api::PrefillField>,
    changed: RwSignal<u32>,
    created: RwSignal<Option<Result<NewLinkInfo, String>>>,
    /// The form's languages when links can go by mail.
    mail: Option<Vec<String>>,
    flow: MailFlow,
) -> impl IntoView {
    let create = Action::new(|args: &(String, String, String, u32, bool, String, String)| {
        let (form, label, note, days, single_use, prefill, locked) = args.clone();
        create_link(form, label, note, days, single_use, prefill, locked)
    });
    Effect::new(move |_| {
        if let Some(result) = create.value().get() {
            created.set(Some(result.map_err(|e| e.message)));
            changed.update(|n| *n += 1);
        }
    });
    let submit = {
        let form_id = form_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(data) = form_data(&ev) else { return };
            let mut prefill = serde_json::Map::new();
            let keys = all(&data, "prefill_key");
            let values = all(&data, "prefill_value");
            for (k, v) in keys.into_iter().zip(values) {
                if !v.trim().is_empty() {
                    prefill.insert(k, serde_json::Value::String(v));
                }
            }
            let locked = all(&data, "locked").join(",");
            let days = text(&data, "days").trim().parse().unwrap_or(0);
            let single_use = data.get("single_use").as_string().is_some();
            let to = text(&data, "mail_to");
            if !to.trim().is_empty() {
                // By mail: the check first; the link is made when the operator confirms.
                let mut request = LinkMailRequest {
                    form: form_id.clone(),
                    label: text(&data, "label"),
                    note: text(&data, "note"),
                    prefill: serde_json::Value::Object(prefill).to_string(),
                    to,
                    locked,
                    single_use,
                    days,
                    ..Default::default()
                };
                read_options(&data, "one_", &mut request);
                created.set(None);
                start_check(flow, request);
                return;
            }
            create.dispatch((
                form_id.clone(),
                text(&data, "label"),
                text(&data, "note"),
                days,
                single_use,
                serde_json::Value::Object(prefill).to_string(),
                locked,
            ));
        }
    };
    let field_rows = fields
        .into_iter()
        .map(|f| {
            let id = format!("prefill-{}", f.key);
            let lock_id = format!("lock-{}", f.key);
            let lock_for = lock_id.clone();
            view! {
                <div class="prefill-row">
                    <input type="hidden" name="prefill_key" value=f.key.clone() />
                    <label for=id.clone()>{f.label.clone()}" "<code class="small">{f.key.clone()}</code>
                        {f.personal.then(|| view! { <span class="muted">" (personal)"</span> })}</label>
                    <input id=id name="prefill_value" />
                    <label class="check" for=lock_for>
                        <input type="checkbox" id=lock_id name="locked" value=f.key.clone() />
                        {format!("lock {}", f.label)}
                    </label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"New personal link"</h2>
            <form class="link-form" on:submit=submit>
                <p><label for="link-label">"Recipient label (e.g. customer number)"</label>
                    <input id="link-label" name="label" maxlength="200" /></p>
                <p><label for="link-note">"Note (for you, not shown to the customer)"</label>
                    <input id="link-note" name="note" maxlength="1000" /></p>
                <p><label for="link-days">"Open for (days)"</label>
                    <input id="link-days" name="days" type="number" min="1" max="366" value="30" /></p>
                <p><label class="check"><input type="checkbox" name="single_use" value="true" checked />"Single use"</label></p>
                <fieldset>
                    <legend>"Prefill (optional; a locked answer cannot be changed by the customer)"</legend>
                    {field_rows}
                </fieldset>
                {mail.map(|languages| view! {
                    <p><label for="link-mail-to">"Send by mail to (optional; you see the mail before it is sent)"</label>
                        <input id="link-mail-to" name="mail_to" type="email" maxlength="254" /></p>
                    <MailOptions prefix="one_" languages=languages />
                }.into_any())}
                <button type="submit">"Create link"</button>
            </form>
            <MailCheckView flow=flow changed=changed />
            {move || created.get().map(|result| match result {
                Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                Ok(info) => view! {
                    <div class="new-link" role="status">
                        <p><strong>"Link created."</strong>" Copy it now: its secret is not stored and cannot be shown again."</p>
                        <p><label for="new-link-url">"Link"</label>
                            <input id="new-link-url" class="wide" readonly value=info.url.clone() /></p>
                        <div class="qr" inner_html=info.qr_svg_markup.clone()></div>
                        <p>
                            <a download=format!("link-{}.svg", info.id) href=info.qr_svg.clone()>"QR code (SVG)"</a>" · "
                            <a download=format!("link-{}.png", info.id) href=info.qr_png.clone()>"QR code (PNG)"</a>
                        </p>
                        <p class="muted">"Expires "{info.expires_at.clone()}</p>
                    </div>
                }.into_any(),
            })}
        </section>
    }
}

#[component]
fn BulkLinks(
    form_id: String,
    fields: Vec<crate::api::PrefillField>,
    changed: RwSignal<u32>,
    kept: Kept,
    /// The form's languages when links can go by mail.
    mail: Option<Vec<String>>,
) -> impl IntoView {
    let (csv, checked, imported) = (kept.csv, kept.checked, kept.imported);
    let flow = kept.bulk_mail;
    let settings = StoredValue::new((String::new(), true, 30u32));
    let check = Action::new(|args: &(String, String, String, bool, u32)| {
        let (form, csv, locked, single_use, days) = args.clone();
        check_links_csv(form, csv, locked, single_use, days)
    });
    let import = Action::new(|args: &(String, String, String, bool, u32)| {
        let (form, csv, locked, single_use, days) = args.clone();
        import_links_csv(form, csv, locked, single_use, days)
    });
    Effect::new(move |_| {
        if let Some(result) = check.value().get() {
            checked.set(Some(result.map_err(|e| e.message)));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = import.value().get() {
            imported.set(Some(result.map_err(|e| e.message)));
            changed.update(|n| *n += 1);
        }
    });
    let submit = {
        let form_id = form_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(data) = form_data(&ev) else { return };
            let locked = all(&data, "bulk_locked").join(",");
            let single_use = data.get("bulk_single_use").as_string().is_some();
            let days = text(&data, "bulk_days").trim().parse().unwrap_or(0);
            settings.set_value((locked.clone(), single_use, days));
            imported.set(None);
            if data.get("bulk_by_mail").as_string().is_some() {
                let mut request = LinkMailRequest {
                    form: form_id.clone(),
                    csv: csv.get_untracked(),
                    address_column: text(&data, "bulk_address_column"),
                    locked,
                    single_use,
                    days,
                    ..Default::default()
                };
                read_options(&data, "bulk_", &mut request);
                checked.set(None);
                start_check(flow, request);
                return;
            }
            flow.check.set(None);
            check.dispatch((form_id.clone(), csv.get_untracked(), locked, single_use, days));
        }
    };
    let create_all = {
        let form_id = form_id.clone();
        move |_| {
            let (locked, single_use, days) = settings.get_value();
            import.dispatch((form_id.clone(), csv.get_untracked(), locked, single_use, days));
        }
    };
    let load_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        leptos::task::spawn_local(async move {
            if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                csv.set(text.as_string().unwrap_or_default());
                checked.set(None);
            }
        });
    };
    let header = fields.iter().map(|f| f.key.clone()).collect::<Vec<_>>().join(",");
    let lock_boxes = fields
        .iter()
        .map(|f| {
            let id = format!("bulk-lock-{}", f.key);
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input type="checkbox" id=id name="bulk_locked" value=f.key.clone() />{f.label.clone()}
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"Many links from a CSV file"</h2>
            <p class="muted">"One row per customer. The first row names the columns: "<code>"label"</code>", "<code>"note"</code>
                " and form fields, e.g. "<code>{format!("label,{header}")}</code>". Nothing is created until every row is right."</p>
            <form class="link-form" on:submit=submit>
                <p><label for="bulk-file">"CSV file"</label>
                    <input id="bulk-file" type="file" accept=".csv,text/csv" on:change=load_file /></p>
                <p><label for="bulk-csv">"or paste the CSV"</label>
                    <textarea id="bulk-csv" rows="6" class="wide" prop:value=move || csv.get()
                        on:input=move |ev| { csv.set(event_target_value(&ev)); checked.set(None); }></textarea></p>
                <p><label for="bulk-days">"Open for (days)"</label>
                    <input id="bulk-days" name="bulk_days" type="number" min="1" max="366" value="30" /></p>
                <p><label class="check"><input type="checkbox" name="bulk_single_use" value="true" checked />"Single use"</label></p>
                <fieldset><legend>"Locked fields"</legend>{lock_boxes}</fieldset>
                {mail.map(|languages| view! {
                    <p><label class="check"><input type="checkbox" name="bulk_by_mail" value="true" />
                        "Send each link by mail (the check shows the first mails; nothing is sent until you confirm)"</label></p>
                    <p><label for="bulk-address-column">"Column with the mail addresses"</label>
                        <input id="bulk-address-column" name="bulk_address_column" value="email" /></p>
                    <MailOptions prefix="bulk_" languages=languages />
                }.into_any())}
                <button type="submit">"Check"</button>
            </form>
            <MailCheckView flow=flow changed=changed />
            {move || checked.get().map(|result| match result {
                Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                Ok(check) => {
                    let clean = check.clean;
                    let count = check.rows.len();
                    view! {
                        <div class="csv-preview">
                            {check.errors.iter().map(|e| view! { <p class="error">{e.clone()}</p> }).collect_view()}
                            <table class="list">
                                <thead><tr><th class="num">"Row"</th><th>"Label"</th><th>"Prefill"</th><th>"Problems"</th></tr></thead>
                                <tbody>{check.rows.into_iter().map(|r| {
                                    let bad = !r.errors.is_empty();
                                    view! {
                                        <tr class:row-error=bad data-row=r.row>
                                            <td class="num">{r.row}</td><td>{r.label}</td><td>{r.values}</td>
                                            <td>{r.errors.join("; ")}</td>
                                        </tr>
                                    }
                                }).collect_view()}</tbody>
                            </table>
                            {if clean {
                                view! { <button type="button" on:click=create_all.clone()>{format!("Create {count} links")}</button> }.into_any()
                            } else {
                                view! { <p class="error" role="alert">"Fix the rows above, then check again. Nothing was created."</p> }.into_any()
                            }}
                        </div>
                    }.into_any()
                }
            })}
            {move || imported.get().map(|result| match result {
                Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                Ok(done) => view! {
                    <p role="status">{format!("{} links created. ", done.count)}
                        <a download="personal-links.csv" href=done.csv_download.clone()>"Download the links (CSV)"</a>
                        " — it holds their secrets: keep it safe, it cannot be downloaded again."</p>
                }.into_any(),
            })}
        </section>
    }
}
