//! Matrices, rankings and calculations over real HTTP: the server computes the
//! form's values again from the signed definition and refuses an envelope that says
//! otherwise; exports give a matrix one column per row.

use formseal_core::accounts::Role;
use formseal_model::{Answers, FormDef, normalize, templates};
use serde_json::{Value, json};

use crate::common::{TestServer, field_problems, start, submit_answers};
use crate::exports::{account, export};

const FORM: &str = "service-feedback";

async fn publish(server: &TestServer) -> (FormDef, String) {
    let mut form: FormDef = templates::build("service_feedback", FORM, "Service feedback").unwrap();
    form.notice.controller.name = "Café Beispiel GmbH".into();
    form.notice.controller.address = "Musterstraße 1, 10115 Berlin".into();
    form.notice.controller.contact = "privacy@example.com".into();
    assert_eq!(formseal_model::definition::check(&form), vec![]);
    let version = formseal_core::forms::publish(&server.state, form.clone(), &["*".into()]).await.unwrap().version;
    (form, version)
}

/// Answers as the browser leaves them after normalising: the service score filled in.
fn answers(form: &FormDef, service: Value) -> Answers {
    let mut answers: Answers = [
        ("overall", json!("4")),
        ("service", service),
        ("priorities", json!(["quality", "price", "speed"])),
        ("recommend", json!("9")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    normalize(form, &mut answers);
    answers
}

async fn submit(server: &TestServer, version: &str, answers: Answers, seed: u64) -> (u16, Value) {
    submit_answers(server, FORM, version, answers, seed).await
}

#[tokio::test]
async fn the_server_recomputes_every_value_and_exports_a_column_per_matrix_row() {
    let server = start().await;
    let (form, version) = publish(&server).await;
    let good = json!({"speed": "excellent", "friendliness": "good", "value": "good"});

    // The browser's score (3 + 2 + 2) is the server's: accepted.
    let accepted = answers(&form, good.clone());
    assert_eq!(accepted["service_score"], json!("7"));
    let (status, body) = submit(&server, &version, accepted.clone(), 1).await;
    assert_eq!(status, 201, "{body}");

    // A score that does not fit the answers is refused, naming the field and the value.
    let mut inflated = accepted.clone();
    inflated.insert("service_score".into(), json!("9"));
    let (status, body) = submit(&server, &version, inflated, 2).await;
    assert_eq!((status, field_problems(&body)), (422, vec![("service_score".into(), "calculation_mismatch".into())]));
    assert_eq!(body["fields"][0]["expected"], "7", "{body}");

    // Left out altogether: refused the same way.
    let mut missing = accepted.clone();
    missing.remove("service_score");
    let (status, body) = submit(&server, &version, missing, 3).await;
    assert_eq!((status, field_problems(&body)), (422, vec![("service_score".into(), "calculation_mismatch".into())]));

    // A low score asks what to improve (a condition on the computed value); an
    // answer to it when the score is high is an answer to a question not asked.
    let poor = answers(&form, json!({"speed": "poor", "friendliness": "fair", "value": "poor"}));
    assert_eq!(poor["service_score"], json!("1"));
    let mut with_advice = poor.clone();
    with_advice.insert("improve".into(), json!("Faster service at lunch."));
    let (status, body) = submit(&server, &version, with_advice.clone(), 4).await;
    assert_eq!(status, 201, "{body}");
    let mut advice_unasked = accepted.clone();
    advice_unasked.insert("improve".into(), json!("Nothing."));
    let (status, body) = submit(&server, &version, advice_unasked, 5).await;
    assert_eq!((status, field_problems(&body)), (422, vec![("improve".into(), "not_asked".into())]));

    // Every matrix row is required here; a ranking must order every option.
    let mut partial = answers(&form, json!({"speed": "good", "friendliness": "good"}));
    partial.insert("priorities".into(), json!(["quality", "price"]));
    let (status, body) = submit(&server, &version, partial, 6).await;
    assert_eq!(
        (status, field_problems(&body)),
        (422, vec![("service".into(), "row_required".into()), ("priorities".into(), "rank_all".into())]),
        "{body}"
    );
    assert_eq!(body["fields"][0]["row"], "value", "{body}");
    assert_eq!(server.state.store().chain_head(FORM).await.unwrap().0, 2, "only the accepted two are stored");

    // The CSV export: one column per matrix row, the ranking in order, the score.
    let cookie = account(&server, "analyst", Role::Owner, &[], &[]).await;
    let (status, _, csv) = export(&server, &cookie, FORM, &[("format", "csv"), ("scope", "full")]).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(csv).unwrap();
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name}: {header:?}"));
    for row in ["How did we do?: Speed", "How did we do?: Friendliness", "How did we do?: Value for money"] {
        at(row);
    }
    assert_eq!(header.iter().filter(|h| h.starts_with("How did we do?")).count(), 3, "{header:?}");
    assert_eq!(rows[0][at("How did we do?: Speed")], "excellent");
    assert_eq!(rows[1][at("How did we do?: Value for money")], "poor");
    assert_eq!(rows[0][at("Service score (0–9)")], "7");
    assert_eq!(rows[1][at("Service score (0–9)")], "1");
    assert_eq!(rows[0][at("What matters most to you?")], "1. quality, 2. price, 3. speed");
    assert_eq!(rows[1][at("What should we do better?")], "Faster service at lunch.");
}
