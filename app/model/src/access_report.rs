//! The answer to a data-subject access request (GDPR Art. 15): what the reviewer
//! sees hit by hit, and the report sent to the person, as JSON and as a printable
//! HTML page in German or English. Pure data and text; the server fills it in.

use serde::{Deserialize, Serialize};

use crate::copy::escape as escape_html;
use crate::form::Controller;

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

struct Words {
    title: &'static str,
    intro: &'static str,
    request: &'static str,
    received: &'static str,
    produced: &'static str,
    none: &'static str,
    form: &'static str,
    controller: &'static str,
    purpose: &'static str,
    legal_basis: &'static str,
    retention: &'static str,
    days: &'static str,
    collected: &'static str,
    recipients: &'static str,
    no_recipients: &'static str,
    proof: &'static str,
    proof_ok: &'static str,
    proof_bad: &'static str,
    deleted: &'static str,
    answers: &'static str,
    corrections: &'static str,
    source: &'static str,
    rights_title: &'static str,
    rights: &'static str,
}

const EN: Words = Words {
    title: "Information about your personal data",
    intro: "You asked which personal data we hold about you (Art. 15 GDPR). These are all the records we found.",
    request: "Request",
    received: "received on",
    produced: "Produced",
    none: "We hold no personal data about you in our forms.",
    form: "Form",
    controller: "Controller",
    purpose: "Purpose",
    legal_basis: "Legal basis",
    retention: "Stored for",
    days: "days after receipt, then deleted",
    collected: "Collected",
    recipients: "Recipients",
    no_recipients: "none outside our own staff",
    proof: "Integrity",
    proof_ok: "your signature and our receipt verify",
    proof_bad: "could not be verified",
    deleted: "Answers deleted",
    answers: "Your answers",
    corrections: "Corrections",
    rights_title: "Your rights",
    source: "Source: you gave these answers yourself through the form. We make no automated decisions based on them.",
    rights: "You may ask us to correct (Art. 16) or delete (Art. 17) these data, to restrict their processing (Art. 18) \
             or object to it (Art. 21), and you may complain to a data protection supervisory authority (Art. 77).",
};

const DE: Words = Words {
    title: "Auskunft über Ihre personenbezogenen Daten",
    intro: "Sie haben gefragt, welche personenbezogenen Daten wir über Sie speichern (Art. 15 DSGVO). \
            Dies sind alle Datensätze, die wir gefunden haben.",
    request: "Anfrage",
    received: "eingegangen am",
    produced: "Erstellt",
    none: "In unseren Formularen sind keine personenbezogenen Daten über Sie gespeichert.",
    form: "Formular",
    controller: "Verantwortlicher",
    purpose: "Zweck",
    legal_basis: "Rechtsgrundlage",
    retention: "Speicherdauer",
    days: "Tage nach Eingang, danach gelöscht",
    collected: "Erhoben",
    recipients: "Empfänger",
    no_recipients: "keine außerhalb unserer eigenen Mitarbeitenden",
    proof: "Unversehrtheit",
    proof_ok: "Ihre Signatur und unsere Quittung sind gültig",
    proof_bad: "konnte nicht bestätigt werden",
    deleted: "Antworten gelöscht",
    answers: "Ihre Antworten",
    corrections: "Berichtigungen",
    rights_title: "Ihre Rechte",
    source: "Herkunft: Sie haben diese Angaben selbst über das Formular gemacht. \
             Wir treffen damit keine automatisierten Entscheidungen.",
    rights: "Sie können verlangen, dass wir diese Daten berichtigen (Art. 16) oder löschen (Art. 17), ihre \
             Verarbeitung einschränken (Art. 18), Sie können widersprechen (Art. 21) und sich bei einer \
             Datenschutz-Aufsichtsbehörde beschweren (Art. 77).",
};

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#111}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-top:1px solid #ccc;padding-top:1rem}\
dl{display:grid;grid-template-columns:12rem 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}\
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
.muted{color:#555}@media print{body{margin:0}h2{break-before:auto;break-inside:avoid}}";

/// The printable page. Every value is escaped; the page needs no script.
pub fn to_html(report: &AccessReport) -> String {
    let w = if report.lang == "de" { &DE } else { &EN };
    let e = escape_html;
    let mut h = String::new();
    h.push_str(&format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        if report.lang == "de" { "de" } else { "en" },
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
