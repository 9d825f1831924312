//! Form logic over real HTTP: the server re-decides what the visitor was asked from
//! the signed definition, and refuses an envelope that answers more or less.

use formseal_model::{Answers, FormDef, templates};
use serde_json::{Value, json};

use crate::common::{TestServer, field_problems, start, submit_answers};

const FORM: &str = "damage-report";

async fn publish(server: &TestServer) -> String {
    let mut form: FormDef = templates::build("damage_report", FORM, "Damage report").unwrap();
    form.notice.controller.name = "Example Versicherung AG".into();
    form.notice.controller.address = "Musterstraße 1, 10115 Berlin".into();
    form.notice.controller.contact = "privacy@example.com".into();
    assert_eq!(formseal_model::definition::check(&form), vec![]);
    formseal_core::forms::publish(&server.state, form, &["*".into()]).await.unwrap().version
}

/// A property damage without injuries: the injuries field and the vehicle page are
/// not asked, so their required fields are not needed.
fn answers() -> Answers {
    let today = chrono::Utc::now().date_naive().to_string();
    [
        ("incident_date", json!(today)),
        ("description", json!("A branch broke the kitchen window.")),
        ("damage_type", json!("property")),
        ("injured", json!(false)),
        ("name", json!("Ada Lovelace")),
        ("email", json!("ada@example.com")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

async fn submit(server: &TestServer, version: &str, answers: Answers, seed: u64) -> (u16, Value) {
    submit_answers(server, FORM, version, answers, seed).await
}

#[tokio::test]
async fn the_server_decides_what_was_asked_as_the_browser_does() {
    let server = start().await;
    let version = publish(&server).await;

    // Logic hides required fields (injuries, the vehicle page): accepted without them.
    let (status, body) = submit(&server, &version, answers(), 1).await;
    assert_eq!(status, 201, "{body}");

    // An answer to the hidden injuries field: refused, naming the field.
    let mut hidden = answers();
    hidden.insert("injuries".into(), json!("a cut on the hand"));
    let (status, body) = submit(&server, &version, hidden, 2).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(field_problems(&body), [("injuries".to_owned(), "not_asked".to_owned())]);
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("does not apply"), "{body}");

    // An answer on a page the path does not reach is refused the same way.
    let mut off_path = answers();
    off_path.insert("plate".into(), json!("B-AB 123"));
    let (status, body) = submit(&server, &version, off_path, 3).await;
    assert_eq!((status, field_problems(&body)), (422, vec![("plate".to_owned(), "not_asked".to_owned())]), "{body}");

    // Someone was injured: the injuries field is now asked and required.
    let mut injured = answers();
    injured.insert("injured".into(), json!(true));
    let (status, body) = submit(&server, &version, injured.clone(), 4).await;
    assert_eq!((status, field_problems(&body)), (422, vec![("injuries".to_owned(), "required".to_owned())]), "{body}");
    injured.insert("injuries".into(), json!("a cut on the hand"));
    let (status, body) = submit(&server, &version, injured, 5).await;
    assert_eq!(status, 201, "{body}");

    // Vehicle damage: the vehicle page applies, and the police reference is
    // required once the police came.
    let mut vehicle = answers();
    vehicle.insert("damage_type".into(), json!("vehicle"));
    vehicle.insert("plate".into(), json!("B-AB 123"));
    vehicle.insert("police".into(), json!(true));
    let (status, body) = submit(&server, &version, vehicle.clone(), 6).await;
    assert_eq!(
        (status, field_problems(&body)),
        (422, vec![("police_ref".to_owned(), "required".to_owned())]),
        "{body}"
    );
    vehicle.insert("police_ref".into(), json!("2026/123456"));
    let (status, body) = submit(&server, &version, vehicle, 7).await;
    assert_eq!(status, 201, "{body}");

    // Exactly the three accepted envelopes are stored.
    assert_eq!(server.state.store().chain_head(FORM).await.unwrap().0, 3);
}
