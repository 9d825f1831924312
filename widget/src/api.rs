use formseal_form::Problems;
use formseal_model::{FieldError, PublishedVersion, SignedChallenge, SignedReceipt, SubmissionRequest};

use crate::texts::Texts;
use serde::Deserialize;
use wasm_bindgen::{JsCast as _, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

pub enum Outcome {
    Receipt(SignedReceipt),
    Invalid(Problems),
    /// Refused for good: the code (empty if the body could not be read) and a
    /// message for the visitor.
    Rejected {
        code: String,
        message: String,
    },
    Network(String),
    /// The proof of work was refused (expired, say): a new one may succeed. The
    /// message is shown by the personal-link page only (the landing page asks anew).
    NeedsProof(#[cfg_attr(not(feature = "link-page"), allow(dead_code))] String),
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error: String,
    message: String,
    #[serde(default)]
    fields: Vec<FieldError>,
}

pub(crate) async fn send(url: &str, body: Option<String>) -> Result<(u16, String), String> {
    let init = RequestInit::new();
    init.set_method(if body.is_some() { "POST" } else { "GET" });
    if let Some(body) = &body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| "bad request url".to_owned())?;
    if body.is_some() {
        let _ = request.headers().set("content-type", "application/json");
    }
    let window = web_sys::window().ok_or("no window")?;
    let offline = || "No connection. Your answers are kept; please send again.".to_owned();
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| offline())?
        .dyn_into()
        .map_err(|_| offline())?;
    let text = JsFuture::from(response.text().map_err(|_| offline())?).await.map_err(|_| offline())?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

pub async fn fetch_form(api_base: &str, form_id: &str) -> Result<PublishedVersion, String> {
    let (status, text) = send(&format!("{api_base}/api/v1/forms/{form_id}"), None).await?;
    if status != 200 {
        let message = serde_json::from_str::<ErrorBody>(&text)
            .map(|e| e.message)
            .unwrap_or_else(|_| format!("The form could not be loaded ({status})."));
        return Err(message);
    }
    serde_json::from_str(&text).map_err(|_| "The form could not be read.".to_owned())
}

pub async fn fetch_challenge(api_base: &str, form_id: &str) -> Result<SignedChallenge, String> {
    let (status, text) = send(&format!("{api_base}/api/v1/forms/{form_id}/challenge"), None).await?;
    if status != 200 {
        return Err(format!("The form could not be prepared for sending ({status})."));
    }
    serde_json::from_str(&text).map_err(|_| "The form could not be prepared for sending.".to_owned())
}

/// Posts a signed request; every message it returns is one the visitor can act on
/// (`t`: the form's language).
pub async fn post_submission(api_base: &str, form_id: &str, request: &SubmissionRequest, t: &Texts) -> Outcome {
    let Ok(body) = serde_json::to_string(request) else {
        return Outcome::Rejected { code: String::new(), message: (t.refused_status)(0) };
    };
    match send(&format!("{api_base}/api/v1/forms/{form_id}/submissions"), Some(body)).await {
        Err(message) => Outcome::Network(message),
        // Stored: sending the same signed request again gets the same receipt.
        Ok((200 | 201, text)) => match serde_json::from_str(&text) {
            Ok(receipt) => Outcome::Receipt(receipt),
            Err(_) => Outcome::Network(t.receipt_unreadable.to_owned()),
        },
        // Server trouble is worth retrying with the same signed request.
        Ok((status, _)) if status >= 500 || status == 429 => Outcome::Network((t.busy)(status)),
        Ok((status, text)) => match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) if body.error.starts_with("proof_") => Outcome::NeedsProof(body.message),
            Ok(body) if !body.fields.is_empty() => {
                Outcome::Invalid(body.fields.into_iter().map(|f| (f.field, f.problem)).collect())
            }
            Ok(body) => Outcome::Rejected { code: body.error, message: body.message },
            Err(_) => Outcome::Rejected { code: String::new(), message: (t.refused_status)(status) },
        },
    }
}

/// Tells the host page what happened, as a DOM event on the widget's element.
pub fn announce(host: &web_sys::HtmlElement, name: &str, detail: &str) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&JsValue::from_str(detail));
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&event);
    }
}
