//! The embeddable form. `embed.js` (the loader) makes a shadow root, loads this
//! module and calls [`mount`]; from there everything happens here: fetch the
//! published version, render with the shared renderer, solve a proof of work while
//! the visitor types, validate with the shared model, sign with a fresh ed25519
//! key, post, show the receipt.

mod api;
mod draft;
mod funnel;
// The personal-link page (`/f/<id>`) is its own bundle: landing pages never load it.
#[cfg(feature = "link-page")]
mod link;
mod pow;
mod receipt;
mod texts;

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use formseal_form::{FormView, Problems};
use formseal_model::funnel::Event as FunnelEvent;
use formseal_model::{Answers, Envelope, Lang, PublishedVersion, SubmissionRequest, ValidationContext, b64_encode};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::api::{Outcome, post_submission};

pub(crate) const CSS: &str = include_str!("../style.css");

/// Renders form `form_id` from `api_base` into `container` (inside a shadow root).
#[wasm_bindgen]
pub fn mount(container: web_sys::HtmlElement, form_id: String, api_base: String, lang: String) {
    console_error_panic_hook::set_once();
    adopt_styles(&container, CSS);
    let host = container.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let version = api::fetch_form(&api_base, &form_id).await;
        // The operator's look, as a `:host` rule: rules of the host page on the
        // element itself still win, so the host can override it.
        if let Some(theme) = version.as_ref().ok().and_then(|v| v.definition.theme.as_ref()) {
            adopt_styles(&container, &format!(":host{{{}}}", theme.declarations()));
        }
        container.set_inner_html("");
        // The loader marked its placeholder busy and reserved room; the form is here now.
        let _ = container.remove_attribute("aria-busy");
        let _ = container.remove_attribute("style");
        leptos::mount::mount_to(container, move || {
            let body = match version {
                Ok(version) => view! { <Widget version=version api_base=api_base lang=lang host=host /> }.into_any(),
                Err(message) => view! { <p class="fs-load-error" role="alert">{message}</p> }.into_any(),
            };
            view! { <div class="fs-root">{body}</div> }
        })
        .forget();
    });
}

/// Gives the shadow root our stylesheet as a constructed sheet: unlike a `<style>`
/// element it needs no `style-src 'unsafe-inline'` in the host page's CSP.
pub(crate) fn adopt_styles(container: &web_sys::HtmlElement, css: &str) {
    use wasm_bindgen::JsCast as _;
    let Ok(root) = container.get_root_node().dyn_into::<web_sys::ShadowRoot>() else { return };
    let Ok(sheet) = web_sys::CssStyleSheet::new() else { return };
    if sheet.replace_sync(css).is_ok() {
        let sheets = js_sys::Array::from(&root.adopted_style_sheets());
        sheets.push(&sheet);
        root.set_adopted_style_sheets(&sheets);
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Filling,
    Sending,
    /// The network failed; the same signed request can be sent again.
    Failed(String),
    Done(Box<formseal_model::SignedReceipt>),
}

#[component]
fn Widget(version: PublishedVersion, api_base: String, lang: String, host: web_sys::HtmlElement) -> impl IntoView {
    let form = version.definition.clone();
    let lang = form.pick_lang(&lang).to_owned();
    let t = texts::of(Lang::parse(&lang));
    let drafts = draft::Drafts::for_form(&form).map(std::rc::Rc::new);
    let answers = RwSignal::new(drafts.as_ref().map(|d| d.load(&form)).unwrap_or_default());
    // A page the draft names that this version no longer has falls back to the first.
    let page_count = formseal_model::logic::pages(&form).len();
    let page = RwSignal::new(drafts.as_ref().map(|d| d.load_page()).filter(|p| *p < page_count).unwrap_or(0));
    let problems = RwSignal::new(Problems::new());
    let phase = RwSignal::new(Phase::Filling);
    // The signed request is kept so a retry re-sends the same nonce: the server then
    // answers with the first receipt instead of storing a second submission.
    let pending = StoredValue::new(None::<SubmissionRequest>);
    let busy = Signal::derive(move || phase.get() == Phase::Sending);
    let (form_id_for_sign, digest_for_sign) = (form.id.clone(), version.version.clone());
    // The proof of work for the next submission, solved while the visitor types.
    let work = StoredValue::new(pow::Work::Idle);
    pow::start(api_base.clone(), form.id.clone(), work);
    // The funnel: shown now, started at the first answer, each later page once.
    let counts = funnel::Funnel::new(&api_base, &form.id);
    let digest = version.version.clone();
    counts.send(FunnelEvent::View { version: digest.clone() });
    {
        let (counts, digest) = (counts.clone(), digest.clone());
        Effect::new(move |_| {
            if answers.with(|a| !a.is_empty()) {
                counts.send(FunnelEvent::Start { version: digest.clone() });
            }
            let shown = page.get();
            if shown > 0 {
                counts.send(FunnelEvent::Page { version: digest.clone(), page: shown as u32 + 1 });
            }
        });
    }
    // The honeypot's value: empty unless a robot fills every field it finds.
    let honeypot = RwSignal::new(String::new());

    // How many times in a row the network failed; sets the wait before the next try.
    let failures = StoredValue::new(0u32);
    let sender: StoredValue<Option<Callback<()>>> = StoredValue::new(None);
    let send = {
        let api_base = api_base.clone();
        let form_id = form.id.clone();
        Callback::new(move |()| {
            let Some(request) = pending.get_value() else { return };
            if phase.get_untracked() == Phase::Sending {
                return;
            }
            phase.set(Phase::Sending);
            let (api_base, form_id, host) = (api_base.clone(), form_id.clone(), host.clone());
            leptos::task::spawn_local(async move {
                let (outcome, request) = deliver(&api_base, &form_id, request, work, t).await;
                // The proof stays with the request: a retry re-sends both unchanged.
                let unspent = request.proof.clone();
                pending.set_value(Some(request));
                match outcome {
                    Outcome::Receipt(receipt) => {
                        api::announce(&host, "formseal:submitted", &receipt.receipt.submission);
                        pending.set_value(None);
                        phase.set(Phase::Done(Box::new(receipt)));
                    }
                    Outcome::Invalid(fields) => {
                        // Refused before it was stored, so its proof is still good.
                        if let Some(proof) = unspent {
                            work.set_value(pow::Work::Ready(proof));
                        }
                        pending.set_value(None);
                        problems.set(fields);
                        phase.set(Phase::Filling);
                    }
                    // The honeypot was filled: a robot, or a person's browser filling
                    // forms by itself. The person is told, the trap emptied, and the
                    // same signed answers may be sent again (the proof is unspent).
                    Outcome::Rejected { code, .. } if code == "refused" => {
                        honeypot.set(String::new());
                        pending.update_value(|p| {
                            if let Some(p) = p {
                                p.hp.clear();
                            }
                        });
                        api::announce(&host, "formseal:error", t.refused_autofill);
                        phase.set(Phase::Failed(t.refused_autofill.to_owned()));
                    }
                    Outcome::Rejected { message, .. } => {
                        api::announce(&host, "formseal:error", &message);
                        pending.set_value(None);
                        phase.set(Phase::Failed(message));
                    }
                    // A fresh proof failed too: "Send again" fetches another one.
                    Outcome::NeedsProof(_) => {
                        pending.update_value(|p| {
                            if let Some(p) = p {
                                p.proof = None;
                            }
                        });
                        api::announce(&host, "formseal:error", t.proof_failed);
                        phase.set(Phase::Failed(t.proof_failed.to_owned()));
                    }
                    Outcome::Network(message) => {
                        // Try again by itself: 1 s, 2 s, 4 s … at most 30 s apart,
                        // and at once when the browser says it is online again.
                        let n = failures.get_value();
                        failures.set_value(n + 1);
                        phase.set(Phase::Failed(message));
                        let wait =
                            std::time::Duration::from_secs(1u64 << n.min(5)).min(std::time::Duration::from_secs(30));
                        set_timeout(move || retry(sender, phase), wait);
                    }
                }
            });
        })
    };
    sender.set_value(Some(send));
    let _online = window_event_listener(leptos::ev::online, move |_| retry(sender, phase));

    let on_submit = Callback::new(move |checked: Answers| {
        // A second click while a signed request is pending re-sends that one.
        if pending.with_value(Option::is_none) {
            match sign(&form_id_for_sign, &digest_for_sign, checked) {
                Ok(request) => pending.set_value(Some(SubmissionRequest { hp: honeypot.get_untracked(), ..request })),
                Err(message) => return phase.set(Phase::Failed(message)),
            }
        }
        failures.set_value(0);
        send.run(());
    });

    if let Some(drafts) = drafts.clone() {
        let form = form.clone();
        Effect::new(move |_| {
            if matches!(phase.get(), Phase::Done(_)) {
                drafts.clear();
            } else {
                answers.with(|a| drafts.save(&form, a));
                drafts.save_page(page.get());
            }
        });
    }
    let clear = drafts.clone().map(|drafts| {
        view! {
            <p class="fs-draft-note">
                {t.draft_kept}
                <button
                    type="button"
                    class="fs-clear"
                    on:click=move |_| {
                        drafts.clear();
                        answers.set(Answers::new());
                        problems.set(Problems::new());
                        page.set(0);
                    }
                >
                    {t.clear_form}
                </button>
            </p>
        }
    });
    let ctx = ValidationContext { today: today(), slack_days: 0 };
    let form_id_for_hp = form.id.clone();
    let success = form.success_message.as_ref().map(|m| m.get(&lang).to_owned());
    let view_lang = lang.clone();
    let done = Memo::new(move |_| matches!(phase.get(), Phase::Done(_)));
    view! {
        <Show when=move || !done.get()>
            <FormView form=form.clone() lang=lang.clone() ctx=ctx answers=answers problems=problems busy=busy on_submit=on_submit page=page />
            <Honeypot id=format!("fs-{}-website", form_id_for_hp) value=honeypot />
            {clear.clone()}
        </Show>
        {move || match phase.get() {
            Phase::Done(receipt) => view! { <receipt::ReceiptView receipt=*receipt lang=view_lang.clone() success=success.clone() /> }.into_any(),
            Phase::Failed(message) => {
                let can_retry = pending.with_value(Option::is_some);
                view! {
                    <div class="fs-failed" role="alert">
                        <p>{message}</p>
                        {can_retry.then(|| view! {
                            <button type="button" class="fs-retry" on:click=move |_| send.run(())>
                                {t.send_again}
                            </button>
                        })}
                    </div>
                }.into_any()
            }
            _ => ().into_any(),
        }}
    }
}

/// A field people never see or reach (off-screen, hidden from assistive technology,
/// out of the tab order) and robots tend to fill. The server refuses a submission
/// that has text in it.
#[component]
fn Honeypot(id: String, value: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="fs-hp" aria-hidden="true">
            <label for=id.clone()>"Website"</label>
            <input
                id=id
                type="text"
                name="website"
                tabindex="-1"
                autocomplete="off"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

/// Posts the request with a proof of work, waiting for the one being solved if
/// need be. If the server refuses the proof (it expired while the visitor was
/// offline, say), gets a new one and posts once more: the signed answers stay the
/// same, so the server still stores them at most once.
async fn deliver(
    api_base: &str,
    form_id: &str,
    mut request: SubmissionRequest,
    work: StoredValue<pow::Work>,
    t: &'static texts::Texts,
) -> (Outcome, SubmissionRequest) {
    let mut renewed = false;
    loop {
        if request.proof.is_none() {
            match pow::take(api_base, form_id, work).await {
                Ok(proof) => request.proof = Some(proof),
                Err(message) => return (Outcome::Network(message), request),
            }
        }
        match post_submission(api_base, form_id, &request, t).await {
            Outcome::NeedsProof(_) if !renewed => {
                renewed = true;
                request.proof = None;
            }
            outcome => return (outcome, request),
        }
    }
}

/// Sends the pending request again if the last try failed on the network.
fn retry(sender: StoredValue<Option<Callback<()>>>, phase: RwSignal<Phase>) {
    if matches!(phase.get_untracked(), Phase::Failed(_))
        && let Some(send) = sender.get_value()
    {
        send.run(());
    }
}

/// Builds the envelope and signs it with a fresh key (integrity, not identity).
fn sign(form_id: &str, version: &str, answers: Answers) -> Result<SubmissionRequest, String> {
    let seed: [u8; 32] = random_bytes()?;
    let nonce: [u8; 16] = random_bytes()?;
    let envelope = Envelope {
        v: 1,
        form: form_id.to_owned(),
        version: version.to_owned(),
        answers,
        nonce: b64_encode(&nonce),
        client_time: String::from(js_sys::Date::new_0().to_iso_string()),
        link: None,
    };
    SubmissionRequest::sign(&envelope, &SigningKey::from_bytes(&seed)).map_err(|e| e.to_string())
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut buf = [0u8; N];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok()).ok_or("no WebCrypto in this browser")?;
    crypto.get_random_values_with_u8_array(&mut buf).map_err(|_| "no random numbers in this browser")?;
    Ok(buf)
}

/// The visitor's local date: relative date bounds ("not in the future") use it.
pub(crate) fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(now.get_full_year() as i32, now.get_month() + 1, now.get_date()).unwrap_or_default()
}
