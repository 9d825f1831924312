//! The answer to a data-subject access request (GDPR Art. 15): what the reviewer
//! sees hit by hit, and the report sent to the person, as JSON and as a printable
//! HTML page in German or English (its words are in [`crate::texts::report`]). Pure
//! data and text; the server fills it in.

use serde::{Deserialize, Serialize};

use crate::copy::escape as escape_html;
use crate::form::Controller;
use crate::lang::Lang;
use crate::texts;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessReport {
    pub v: u32,
    pub lang: String,
    pub request: RequestSummary,
    /// Server time, RFC 3339.
    pub produced_at: String,
    pub produced_by: String,
    /// Only the hits the reviewer included.
    pub entries: Vec<ReportEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: String,
    pub requester: String,
    pub received_on: String,
    pub due_on: String,
}

/// One submission found for the person, with everything Art. 15 (1) asks about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportEntry {
    pub submission: String,
    pub form: String,
    pub form_title: String,
    pub controller: Controller,
    pub purpose: String,
    pub legal_basis: String,
    pub retention_days: u32,
    /// When the server received it, RFC 3339.
    pub collected_at: String,
    /// Partners outside the controller's staff with access to this form.
    pub recipients: Vec<String>,
    pub signature_valid: bool,
    pub receipt_valid: bool,
    /// When and why the answers were deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Deletion>,
    pub answers: Vec<ReportAnswer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<ReportCorrection>,
    /// The reviewer's decision (the report holds included entries only).
    pub include: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    pub at: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAnswer {
    pub key: String,
    pub label: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCorrection {
    pub key: String,
    pub label: String,
    pub value: String,
    pub reason: String,
    pub at: String,
    pub valid: bool,
}

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#111}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-top:1px solid #ccc;padding-top:1rem}\
dl{display:grid;grid-template-columns:12rem 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}\
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
.muted{color:#555}@media print{body{margin:0}h2{break-before:auto;break-inside:avoid}}";

/// The printable page. Every value is escaped; the page needs no script.
pub fn to_html(report: &AccessReport) -> String {
    let lang = Lang::parse(&report.lang);
    let w = texts::report(lang);
    let e = escape_html;
    let mut h = String::new();
    h.push_str(&format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        lang.tag(),
        w.title
    ));
    h.push_str(&format!("<h1>{}</h1><p>{}</p>", w.title, w.intro));
    h.push_str(&format!(
        "<p class=\"muted\">{} {} ({}, {} {}). {}: {}</p>",
        w.request,
        e(&report.request.id),
        e(&report.request.requester),
        w.received,
        e(&report.request.received_on),
        w.produced,
        e(&report.produced_at)
    ));
    let entries: Vec<&ReportEntry> = report.entries.iter().filter(|x| x.include).collect();
    if entries.is_empty() {
        h.push_str(&format!("<p>{}</p>", w.none));
    }
    for entry in entries {
        h.push_str(&format!("<section><h2>{}: {}</h2><dl>", w.form, e(&entry.form_title)));
        let c = &entry.controller;
        let mut row = |term: &str, value: String| h.push_str(&format!("<dt>{term}</dt><dd>{value}</dd>"));
        row(w.controller, format!("{}, {}, {}", e(&c.name), e(&c.address), e(&c.contact)));
        row(w.purpose, e(&entry.purpose));
        row(w.legal_basis, e(&entry.legal_basis));
        row(w.retention, format!("{} {}", entry.retention_days, w.days));
        row(w.collected, e(&entry.collected_at));
        let recipients =
            if entry.recipients.is_empty() { w.no_recipients.to_owned() } else { e(&entry.recipients.join(", ")) };
        row(w.recipients, recipients);
        let proof = if entry.signature_valid && entry.receipt_valid { w.proof_ok } else { w.proof_bad };
        if let Some(d) = &entry.deleted {
            row(w.deleted, format!("{} ({})", e(&d.at), e(&d.reason)));
        } else {
            row(w.proof, proof.to_owned());
        }
        h.push_str("</dl>");
        if !entry.answers.is_empty() {
            h.push_str(&format!("<h3>{}</h3><table><tbody>", w.answers));
            for a in &entry.answers {
                h.push_str(&format!("<tr><th scope=\"row\">{}</th><td>{}</td></tr>", e(&a.label), e(&a.value)));
            }
            h.push_str("</tbody></table>");
        }
        if !entry.corrections.is_empty() {
            h.push_str(&format!("<h3>{}</h3><table><tbody>", w.corrections));
            for c in &entry.corrections {
                h.push_str(&format!(
                    "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                    e(&c.label),
                    e(&c.value),
                    e(&c.reason),
                    e(&c.at)
                ));
            }
            h.push_str("</tbody></table>");
        }
        h.push_str("</section>");
    }
    h.push_str(&format!("<h2>{}</h2><p>{}</p><p>{}</p></body></html>", w.rights_title, w.source, w.rights));
    h
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn entry(id: &str, include: bool, value: &str) -> ReportEntry {
        ReportEntry {
            submission: id.into(),
            form: "f".into(),
            form_title: "Guests".into(),
            controller: Controller { name: "Café <Ltd>".into(), address: "Main St 1".into(), contact: "dpo@x".into() },
            purpose: "Contact tracing".into(),
            legal_basis: "Legal obligation".into(),
            retention_days: 30,
            collected_at: "2026-11-01T10:00:00.000Z".into(),
            recipients: vec![],
            signature_valid: true,
            receipt_valid: true,
            deleted: None,
            answers: vec![ReportAnswer { key: "name".into(), label: "Name".into(), value: value.into() }],
            corrections: vec![],
            include,
            note: String::new(),
        }
    }

    #[test]
    fn the_page_holds_included_entries_escaped_and_nothing_excluded() {
        let report = AccessReport {
            v: 1,
            lang: "de".into(),
            request: RequestSummary {
                id: "r1".into(),
                requester: "Anna".into(),
                received_on: "2026-11-20".into(),
                due_on: "2026-12-20".into(),
            },
            produced_at: "2026-11-27T10:00:00.000Z".into(),
            produced_by: "dpo".into(),
            entries: vec![entry("s1", true, "<script>x</script>"), entry("s2", false, "EXCLUDED-VALUE")],
        };
        let html = to_html(&report);
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(!html.contains("EXCLUDED-VALUE"));
        assert!(html.contains("Café &lt;Ltd&gt;"));
        assert!(html.contains("Auskunft"));
        assert!(html.contains("lang=\"de\""));
    }
}
