//! The signer's own copy: a printable, self-contained HTML page with the answers,
//! the signature, the receipt and how to verify them, plus the raw JSON. The link
//! page builds it in the browser from what it signed and what the server answered,
//! so it needs nothing from the server after submitting.

use serde_json::{Value, json};

use crate::form::{FieldKind, FormDef};
use crate::link::signature_svg;
use crate::signed::{SignedReceipt, SubmissionRequest};

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The raw proof: what was signed, by which key, and the server's receipt.
pub fn copy_json(request: &SubmissionRequest, receipt: &SignedReceipt) -> String {
    let value = json!({
        "envelope": request.envelope,
        "public_key": request.public_key,
        "signature": request.signature,
        "receipt": receipt,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn answer_html(kind: Option<&FieldKind>, value: &Value) -> String {
    match (kind, value) {
        (_, Value::String(s)) => escape(s),
        (Some(FieldKind::Matrix { .. } | FieldKind::Ranking { .. }), v) => escape(&crate::answer::answer_text(kind, v)),
        (_, Value::Bool(b)) => (if *b { "yes" } else { "no" }).to_owned(),
        (_, Value::Array(items)) => escape(
            &items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i.get("other").map(|o| o.to_string()).unwrap_or_default())
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (Some(FieldKind::Signature { .. }), v) => {
            let statement = escape(v.get("statement").and_then(Value::as_str).unwrap_or(""));
            match (signature_svg(v), v.get("typed").and_then(Value::as_str)) {
                (Some(svg), _) => format!("<p>“{statement}”</p>{svg}"),
                (None, Some(name)) => {
                    format!(
                        "<p>“{statement}”</p><p>Signed by typing the name <strong>{}</strong> and confirming.</p>",
                        escape(name)
                    )
                }
                _ => format!("<p>“{statement}”</p>"),
            }
        }
        (Some(FieldKind::Consent { .. }), v) => {
            let accepted = v.get("accepted").and_then(Value::as_bool).unwrap_or(false);
            let text = escape(v.get("text").and_then(Value::as_str).unwrap_or(""));
            format!("{} “{text}”", if accepted { "Agreed to" } else { "Did not agree to" })
        }
        (_, Value::Object(parts)) => escape(
            &["street", "postcode", "city", "country"]
                .iter()
                .filter_map(|p| parts.get(*p).and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (_, other) => escape(&other.to_string()),
    }
}

/// The printable page.
pub fn copy_html(form: &FormDef, request: &SubmissionRequest, receipt: &SignedReceipt, lang: &str) -> String {
    let lang = form.pick_lang(lang).to_owned();
    let title = escape(form.title.get(&lang));
    let answers = request.envelope.get("answers").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut rows = String::new();
    for field in &form.fields {
        let Some(value) = answers.get(&field.key) else { continue };
        rows.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>",
            escape(field.label.get(&lang)),
            answer_html(Some(&field.kind), value)
        ));
    }
    let r = &receipt.receipt;
    let link = request.envelope.get("link").and_then(Value::as_str);
    let signer = match link {
        Some(id) => format!("the key of your personal link <code>{}</code>", escape(id)),
        None => "a one-off key made for this submission".to_owned(),
    };
    let n = &form.notice;
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your copy: {title}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; color: #1b1f24; max-width: 44rem; margin: 1.5rem auto; padding: 0 1rem; }}
dt {{ font-weight: 600; margin-top: .75rem; }} dd {{ margin: 0; }}
code, pre {{ font-size: .8rem; overflow-wrap: anywhere; white-space: pre-wrap; }}
svg {{ max-width: 100%; height: auto; border-bottom: 1px solid #8c959f; }}
section {{ border-top: 1px solid #d0d7de; margin-top: 1.5rem; }}
@media print {{ details {{ display: block; }} }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>This is your copy of what you submitted on {received}. Keep it: it proves exactly what you signed.</p>
<section><h2>Your answers</h2><dl>{rows}</dl></section>
<section><h2>Receipt</h2>
<dl>
<dt>Submission</dt><dd><code>{submission}</code></dd>
<dt>Received</dt><dd>{received}</dd>
<dt>Number in the form's chain</dt><dd>{sequence}</dd>
<dt>Envelope digest (SHA-256)</dt><dd><code>{envelope}</code></dd>
<dt>Signed by</dt><dd>{signer}: <code>{public_key}</code></dd>
<dt>Receipt signed by the server key</dt><dd><code>{key}</code></dd>
<dt>Responsible for your data</dt><dd>{controller}, {address}, {contact}</dd>
</dl></section>
<section><h2>How to verify</h2>
<ol>
<li>The answers are in the signed envelope below. Its canonical bytes are the text <code>formseal/v1/envelope</code>, a line feed, and the envelope as RFC 8785 JSON (members sorted, no spaces).</li>
<li>The ed25519 signature below must verify over those bytes with the public key below; their SHA-256 digest (base64url) must equal the receipt's <code>envelope</code>.</li>
<li>The receipt is signed by the server's key (canonical bytes with the prefix <code>formseal/v1/receipt</code>); the server publishes its keys at <code>/.well-known/formseal-keys.json</code>.</li>
</ol>
<p>The full description is Formseal's protocol document (docs/protocol.md).</p>
<details open><summary>Signed envelope and receipt (JSON)</summary><pre>{json}</pre></details>
</section>
</body>
</html>
"#,
        received = escape(&r.received_at),
        submission = escape(&r.submission),
        sequence = r.sequence,
        envelope = escape(&r.envelope),
        public_key = escape(&request.public_key),
        key = escape(&receipt.key),
        controller = escape(&n.controller.name),
        address = escape(&n.controller.address),
        contact = escape(&n.controller.contact),
        json = escape(&copy_json(request, receipt)),
    )
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::signed::{Envelope, Receipt};
    use ed25519_dalek::SigningKey;

    #[test]
    fn the_copy_escapes_answers_and_carries_the_proof() {
        let form = crate::demo::contact_tracing();
        let envelope = Envelope {
            v: 1,
            form: form.id.clone(),
            version: "v".into(),
            answers: [("name".to_owned(), json!("<script>x</script>"))].into(),
            nonce: crate::b64_encode(&[1; 16]),
            client_time: "2026-11-27T10:00:00.000Z".into(),
            link: Some("lnk".into()),
        };
        let request = SubmissionRequest::sign(&envelope, &SigningKey::from_bytes(&[1; 32])).unwrap();
        let receipt = Receipt {
            v: 1,
            submission: "s1".into(),
            form: form.id.clone(),
            version: "v".into(),
            envelope: "d".into(),
            received_at: "2026-11-27T10:00:01.000Z".into(),
            sequence: 1,
            previous: None,
        };
        let signed = SignedReceipt::sign(receipt, "k", &SigningKey::from_bytes(&[2; 32])).unwrap();
        let html = copy_html(&form, &request, &signed, "en");
        assert!(!html.contains("<script>x"), "answers are escaped");
        assert!(html.contains("&lt;script&gt;x"));
        assert!(html.contains(&request.signature));
        assert!(html.contains("personal link <code>lnk</code>"));
    }
}
