//! Personal links by mail, on the links page: the options of a send (language,
//! reminders), the check before sending (the first mails as they will read, the
//! count) with its explicit "Send N messages", and the form's mail templates.

use leptos::prelude::*;

use crate::api::{
    LinkMailCheck, LinkMailRequest, LinkMailSent, check_link_mail, link_mail_templates, save_link_mail_template,
    send_link_mail,
};

/// A check shown, the request it was made for, and what sending it did.
#[derive(Clone, Copy)]
pub struct MailFlow {
    pub check: RwSignal<Option<Result<LinkMailCheck, String>>>,
    pub sent: RwSignal<Option<Result<LinkMailSent, String>>>,
    pub pending: StoredValue<Option<LinkMailRequest>>,
}

impl Default for MailFlow {
    fn default() -> Self {
        MailFlow { check: RwSignal::new(None), sent: RwSignal::new(None), pending: StoredValue::new(None) }
    }
}

/// The language and reminder inputs of a send (names start with `prefix`).
#[component]
pub fn MailOptions(prefix: &'static str, languages: Vec<String>) -> impl IntoView {
    let options = languages
        .into_iter()
        .map(|l| {
            let shown = l.clone();
            view! { <option value=l>{shown}</option> }
        })
        .collect_view();
    view! {
        <fieldset>
            <legend>"Mail"</legend>
            <p><label for=format!("{prefix}lang")>"Language"</label>
                <select id=format!("{prefix}lang") name=format!("{prefix}lang")>{options}</select></p>
            <p><label for=format!("{prefix}remind_times")>"Remind at most (times, 0: never)"</label>
                <input id=format!("{prefix}remind_times") name=format!("{prefix}remind_times") type="number" min="0" max="5" value="0" /></p>
            <p><label for=format!("{prefix}remind_days")>"Remind after (days)"</label>
                <input id=format!("{prefix}remind_days") name=format!("{prefix}remind_days") type="number" min="1" max="60" value="7" /></p>
            <p class="muted small">"Reminders go only while the link is open and unused. For them the server keeps the link's secret encrypted until the last reminder, the link's use, its end or revocation."</p>
        </fieldset>
    }
}

/// Reads the inputs of [`MailOptions`] into `request`.
pub fn read_options(data: &web_sys::FormData, prefix: &str, request: &mut LinkMailRequest) {
    let get = |name: &str| data.get(&format!("{prefix}{name}")).as_string().unwrap_or_default();
    request.lang = get("lang");
    request.remind_times = get("remind_times").trim().parse().unwrap_or(0);
    request.remind_days = get("remind_days").trim().parse().unwrap_or(0);
}

/// Runs the check of `request` (nothing is queued).
pub fn start_check(flow: MailFlow, request: LinkMailRequest) {
    flow.pending.set_value(Some(request.clone()));
    flow.sent.set(None);
    flow.check.set(None);
    leptos::task::spawn_local(async move {
        flow.check.set(Some(check_link_mail(request).await.map_err(|e| e.message)));
    });
}

/// The check's mails and the button that sends them.
#[component]
pub fn MailCheckView(flow: MailFlow, changed: RwSignal<u32>) -> impl IntoView {
    let send = Action::new(|(request, confirm): &(LinkMailRequest, usize)| send_link_mail(request.clone(), *confirm));
    Effect::new(move |_| {
        if let Some(result) = send.value().get() {
            flow.sent.set(Some(result.map_err(|e| e.message)));
            flow.check.set(None);
            changed.update(|n| *n += 1);
        }
    });
    view! {
        {move || flow.check.get().map(|result| match result {
            Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
            Ok(check) => {
                let count = check.count;
                let label = if count == 1 { "Send 1 message".to_owned() } else { format!("Send {count} messages") };
                let shown = check.first.len();
                view! {
                    <div class="mail-check" role="status">
                        <p><strong>{format!("{count} {} to send", if count == 1 { "message" } else { "messages" })}</strong>
                            {format!(" (in {}, reminders: {}). Nothing is sent until you confirm.", check.lang, check.reminders)}</p>
                        {(count > shown).then(|| view! { <p class="muted">{format!("The first {shown}:")}</p> })}
                        {check.first.into_iter().map(|m| view! {
                            <article class="mail-preview">
                                <p><strong>"To: "</strong>{m.to}</p>
                                <p><strong>"Subject: "</strong>{m.subject}</p>
                                <pre class="wide">{m.text}</pre>
                            </article>
                        }).collect_view()}
                        <button type="button" disabled=move || send.pending().get()
                            on:click=move |_| {
                                if let Some(request) = flow.pending.get_value() {
                                    send.dispatch((request, count));
                                }
                            }>{label}</button>
                    </div>
                }.into_any()
            }
        })}
        {move || flow.sent.get().map(|result| match result {
            Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
            Ok(done) => view! {
                <div role="status">
                    <p>{format!("{} {} queued: the Mail column shows what becomes of {}.", done.count,
                        if done.count == 1 { "message" } else { "messages" }, if done.count == 1 { "it" } else { "them" })}</p>
                    {(!done.url.is_empty()).then(|| view! {
                        <p><label for="mailed-link-url">"The link (also in the mail)"</label>
                            <input id="mailed-link-url" class="wide" readonly value=done.url.clone() /></p>
                    })}
                    {(!done.csv_download.is_empty()).then(|| view! {
                        <p><a download="personal-links.csv" href=done.csv_download.clone()>"Download the links (CSV)"</a>
                            " — it holds their secrets: keep it safe, it cannot be downloaded again."</p>
                    })}
                </div>
            }.into_any(),
        })}
    }
    .into_any()
}

/// The form's mail template in each of its languages, with the variables.
#[component]
pub fn MailTemplates(form_id: String) -> impl IntoView {
    let saved = RwSignal::new(0u32);
    let message = RwSignal::new(None::<Result<String, String>>);
    let id = form_id.clone();
    let templates = Resource::new(move || saved.get(), move |_| link_mail_templates(id.clone()));
    let save = Action::new(|args: &(String, String, String, String, bool)| {
        let (form, lang, subject, text, reset) = args.clone();
        save_link_mail_template(form, lang, subject, text, reset)
    });
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            message.set(Some(result.map(|_| "The template was saved.".to_owned()).map_err(|e| e.message)));
            saved.update(|n| *n += 1);
        }
    });
    view! {
        <section class="card">
            <h2>"Mail template"</h2>
            <Suspense fallback=|| ()>
                {move || templates.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(list) => {
                        let variables = list.variables.join(", ");
                        let forms = list.items.into_iter().map(|t| {
                            let subject = RwSignal::new(t.subject.clone());
                            let body = RwSignal::new(t.text.clone());
                            let (form_save, form_reset) = (form_id.clone(), form_id.clone());
                            let (lang_save, lang_reset) = (t.lang.clone(), t.lang.clone());
                            let subject_id = format!("mail-subject-{}", t.lang);
                            let text_id = format!("mail-text-{}", t.lang);
                            view! {
                                <fieldset data-lang=t.lang.clone()>
                                    <legend>{format!("{} ({})", t.lang, if t.custom { "this form's own" } else { "the default" })}</legend>
                                    <p><label for=subject_id.clone()>"Subject"</label>
                                        <input id=subject_id class="wide" maxlength="200" prop:value=move || subject.get()
                                            on:input=move |ev| subject.set(event_target_value(&ev)) /></p>
                                    <p><label for=text_id.clone()>"Text"</label>
                                        <textarea id=text_id class="wide" rows="10" prop:value=move || body.get()
                                            on:input=move |ev| body.set(event_target_value(&ev))></textarea></p>
                                    <button type="button" on:click=move |_| {
                                        save.dispatch((form_save.clone(), lang_save.clone(), subject.get_untracked(), body.get_untracked(), false));
                                    }>"Save"</button>
                                    {t.custom.then(|| view! {
                                        <button type="button" on:click=move |_| {
                                            save.dispatch((form_reset.clone(), lang_reset.clone(), String::new(), String::new(), true));
                                        }>"Back to the default"</button>
                                    })}
                                </fieldset>
                            }
                        }).collect_view();
                        view! {
                            <p class="muted">"Plain text; the mail's HTML part is made from it (the link clickable). Variables: "{variables}
                                ". "<code>"{recipient}"</code>" is the link's label (or the address when it has none)."</p>
                            {forms}
                        }.into_any()
                    }
                })}
            </Suspense>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
            })}
        </section>
    }
    .into_any()
}
