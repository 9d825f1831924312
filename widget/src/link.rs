//! The personal-link page's form: opens the link with its secret key (from the URL
//! fragment), shows the prefill (locked answers cannot be changed), signs the
//! envelope with the link's key, and afterwards offers the signer their own copy.

use ed25519_dalek::SigningKey;
use formseal_form::{FormView, Problems};
use formseal_model::copy::{copy_html, copy_json};
use formseal_model::link::{LinkView, SignedLinkOpen, key_from_secret};
use formseal_model::{Answers, Envelope, Lang, SignedReceipt, SubmissionRequest, ValidationContext, b64_encode};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::api::{Outcome, post_submission, send};
use crate::receipt::ReceiptView;
use crate::texts;

#[derive(serde::Deserialize)]
struct ErrorBody {
    message: String,
}

/// Renders personal link `link_id` into `container` (inside a shadow root).
#[wasm_bindgen]
pub fn mount_link(container: web_sys::HtmlElement, link_id: String, secret: String, api_base: String, lang: String) {
    console_error_panic_hook::set_once();
    crate::adopt_styles(&container, crate::CSS);
    wasm_bindgen_futures::spawn_local(async move {
        let opened = match key_from_secret(&secret) {
            None => Err(texts::of(Lang::negotiate(&lang)).link_incomplete.to_owned()),
            Some(key) => open(&api_base, &link_id, &key).await.map(|view| (view, key)),
        };
        if let Some(theme) = opened.as_ref().ok().and_then(|(v, _)| v.form.definition.theme.as_ref()) {
            crate::adopt_styles(&container, &format!(":host{{{}}}", theme.declarations()));
        }
        container.set_inner_html("");
        let _ = container.remove_attribute("aria-busy");
        leptos::mount::mount_to(container, move || {
            let body = match opened {
                Ok((opened, signing_key)) => {
                    view! { <LinkForm opened=opened signing_key=signing_key api_base=api_base lang=lang /> }.into_any()
                }
                Err(message) => view! { <p class="fs-load-error" role="alert">{message}</p> }.into_any(),
            };
            view! { <div class="fs-root">{body}</div> }
        })
        .forget();
    });
}

async fn open(api_base: &str, link_id: &str, key: &SigningKey) -> Result<LinkView, String> {
    let time = String::from(js_sys::Date::new_0().to_iso_string());
    let request = SignedLinkOpen::sign(link_id, &time, key).map_err(|e| e.to_string())?;
    let body = serde_json::to_string(&request).map_err(|e| e.to_string())?;
    let (status, text) = send(&format!("{api_base}/api/v1/links/{link_id}/open"), Some(body)).await?;
    if status != 200 {
        return Err(serde_json::from_str::<ErrorBody>(&text)
            .map(|e| e.message)
            .unwrap_or_else(|_| format!("The link could not be opened ({status}).")));
    }
    serde_json::from_str(&text).map_err(|_| "The form could not be read.".to_owned())
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Filling,
    Sending,
    Failed(String),
    Done(Box<SignedReceipt>),
}

#[component]
fn LinkForm(opened: LinkView, signing_key: SigningKey, api_base: String, lang: String) -> impl IntoView {
    let LinkView { link, form: version, prefill, locked, .. } = opened;
    let form = version.definition.clone();
    let lang = form.pick_lang(&lang).to_owned();
    let t = texts::of(Lang::parse(&lang));
    let answers = RwSignal::new(prefill);
    let problems = RwSignal::new(Problems::new());
    let phase = RwSignal::new(Phase::Filling);
    let pending = StoredValue::new(None::<SubmissionRequest>);
    let sent = StoredValue::new(None::<SubmissionRequest>);
    let busy = Signal::derive(move || phase.get() == Phase::Sending);
    let key = StoredValue::new(signing_key);

    let send_it = {
        let (api_base, form_id) = (api_base.clone(), form.id.clone());
        Callback::new(move |()| {
            let Some(request) = pending.get_value() else { return };
            if phase.get_untracked() == Phase::Sending {
                return;
            }
            phase.set(Phase::Sending);
            let (api_base, form_id) = (api_base.clone(), form_id.clone());
            leptos::task::spawn_local(async move {
                match post_submission(&api_base, &form_id, &request, t).await {
                    Outcome::Receipt(receipt) => {
                        sent.set_value(Some(request));
                        pending.set_value(None);
                        phase.set(Phase::Done(Box::new(receipt)));
                    }
                    Outcome::Invalid(fields) => {
                        pending.set_value(None);
                        problems.set(fields);
                        phase.set(Phase::Filling);
                    }
                    Outcome::Rejected { message, .. } | Outcome::NeedsProof(message) => {
                        pending.set_value(None);
                        phase.set(Phase::Failed(message));
                    }
                    // The same signed request may be sent again: the server stores it once.
                    Outcome::Network(message) => phase.set(Phase::Failed(message)),
                }
            });
        })
    };

    let on_submit = {
        let (form_id, digest, link) = (form.id.clone(), version.version.clone(), link.clone());
        Callback::new(move |checked: Answers| {
            if pending.with_value(Option::is_none) {
                match key.with_value(|k| sign(&form_id, &digest, &link, checked, k)) {
                    Ok(request) => pending.set_value(Some(request)),
                    Err(message) => return phase.set(Phase::Failed(message)),
                }
            }
            send_it.run(());
        })
    };

    let ctx = ValidationContext { today: crate::today(), slack_days: 0 };
    let done = Memo::new(move |_| matches!(phase.get(), Phase::Done(_)));
    let view_lang = lang.clone();
    let copy_form = form.clone();
    view! {
        <Show when=move || !done.get()>
            <FormView
                form=form.clone()
                lang=lang.clone()
                ctx=ctx
                answers=answers
                problems=problems
                busy=busy
                on_submit=on_submit
                locked=locked.clone()
            />
        </Show>
        {move || match phase.get() {
            Phase::Done(receipt) => {
                let request = sent.get_value();
                let success = copy_form.success_message.as_ref().map(|m| m.get(&view_lang).to_owned());
                let copies = request.map(|request| {
                    let html = copy_html(&copy_form, &request, &receipt, &view_lang);
                    let json = copy_json(&request, &receipt);
                    view! {
                        <div class="fs-copy">
                            <a href=blob_url(&html, "text/html") download="formseal-copy.html" class="fs-copy-html">
                                {t.copy_html}
                            </a>
                            <a href=blob_url(&json, "application/json") download="formseal-proof.json" class="fs-copy-json">
                                {t.copy_json}
                            </a>
                        </div>
                    }
                });
                view! {
                    <ReceiptView receipt=*receipt lang=view_lang.clone() success=success />
                    {copies}
                }
                .into_any()
            }
            Phase::Failed(message) => {
                let can_retry = pending.with_value(Option::is_some);
                view! {
                    <div class="fs-failed" role="alert">
                        <p>{message}</p>
                        {can_retry.then(|| view! {
                            <button type="button" class="fs-retry" on:click=move |_| send_it.run(())>
                                {t.send_again}
                            </button>
                        })}
                    </div>
                }
                .into_any()
            }
            _ => ().into_any(),
        }}
    }
}

/// Builds the envelope for the link and signs it with the link's key.
fn sign(
    form_id: &str,
    version: &str,
    link: &str,
    answers: Answers,
    key: &SigningKey,
) -> Result<SubmissionRequest, String> {
    let nonce: [u8; 16] = crate::random_bytes()?;
    let envelope = Envelope {
        v: 1,
        form: form_id.to_owned(),
        version: version.to_owned(),
        answers,
        nonce: b64_encode(&nonce),
        client_time: String::from(js_sys::Date::new_0().to_iso_string()),
        link: Some(link.to_owned()),
    };
    SubmissionRequest::sign(&envelope, key).map_err(|e| e.to_string())
}

/// An object URL for a download made in the browser.
fn blob_url(text: &str, mime: &str) -> String {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob))
        .unwrap_or_default()
}
