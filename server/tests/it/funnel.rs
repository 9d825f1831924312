//! The funnel over real HTTP: the widget's events and the server's own count of
//! stored submissions add up per version; nothing else is kept; switched off, it
//! counts nothing and forgets what it had.

use formseal_core::accounts::{Operator, Role};
use formseal_model::demo::DEMO_FORM_ID;
use formseal_model::funnel::Step;
use serde_json::{Value, json};

use crate::common::{JsonBody, TestServer, envelope, good_answers, sign, start};

fn owner() -> Operator {
    Operator { username: "ada".into(), role: Role::Owner, forms: vec![], personal_forms: vec![] }
}

async fn event(server: &TestServer, body: &Value) -> u16 {
    let url = format!("{}/api/v1/forms/{DEMO_FORM_ID}/events", server.base);
    server.client.post(url).json(body).send().await.unwrap().status().as_u16()
}

async fn steps(server: &TestServer) -> Vec<(String, u64)> {
    let report = formseal_core::funnel::report(&server.state, &owner(), DEMO_FORM_ID).await.unwrap();
    let steps: Vec<Step> = report.versions.into_iter().flat_map(|v| v.steps).collect();
    steps.into_iter().map(|s| (s.label, s.count)).collect()
}

#[tokio::test]
async fn page_loads_starts_and_submissions_are_counted_and_nothing_else() {
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;
    for _ in 0..3 {
        assert_eq!(event(&server, &json!({"stage": "view", "version": version})).await, 204);
    }
    assert_eq!(event(&server, &json!({"stage": "start", "version": version})).await, 204);
    let request = sign(&envelope(&version, good_answers(), 1));
    let (status, body) = server.submit(&request).await;
    assert_eq!(status, 201, "{body}");
    // A retry of the same submission is not a second one.
    let (status, body) = server.submit(&request).await;
    assert_eq!(status, 200, "{body}");
    let steps_now = steps(&server).await;
    assert_eq!(
        steps_now,
        [("Shown".to_owned(), 3), ("Started".to_owned(), 1), ("Sent".to_owned(), 1)],
        "the demo form has one page"
    );

    // Bad events: readable 4xx, nothing counted.
    assert_eq!(event(&server, &json!({"stage": "page", "version": version, "page": 2})).await, 400);
    assert_eq!(event(&server, &json!({"stage": "visitor", "version": version, "id": "abc"})).await, 400);
    assert_eq!(event(&server, &json!({"stage": "view", "version": "bm90LWEtdmVyc2lvbg"})).await, 409);
    let huge = json!({"stage": "view", "version": "x".repeat(2000)});
    assert_eq!(event(&server, &huge).await, 413);
    assert_eq!(steps(&server).await, steps_now);

    // What is stored: counters by form, version, day and stage, nothing more.
    let rows: Vec<Value> = server.state.store().funnel_rows_for_tests(DEMO_FORM_ID).await.unwrap();
    for row in &rows {
        let mut keys: Vec<&str> = row.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["count", "counter", "day", "form", "id", "version"], "{row}");
    }

    // Switched off: the counts are gone, and new events are taken but not counted.
    formseal_core::funnel::set_counting(&server.state, &owner(), DEMO_FORM_ID, false).await.unwrap();
    assert_eq!(event(&server, &json!({"stage": "view", "version": version})).await, 204);
    let report = formseal_core::funnel::report(&server.state, &owner(), DEMO_FORM_ID).await.unwrap();
    assert!(!report.counting);
    assert!(report.versions.is_empty(), "{:?}", report.versions);
    formseal_core::funnel::set_counting(&server.state, &owner(), DEMO_FORM_ID, true).await.unwrap();
    assert_eq!(event(&server, &json!({"stage": "view", "version": version})).await, 204);
    assert_eq!(steps(&server).await[0], ("Shown".to_owned(), 1));

    // Only form designers switch it; partners see only their forms' funnels.
    let viewer = Operator { role: Role::Viewer, ..owner() };
    assert!(formseal_core::funnel::set_counting(&server.state, &viewer, DEMO_FORM_ID, false).await.is_err());
    let partner = Operator { role: Role::Partner, forms: vec!["other".into()], ..owner() };
    assert!(formseal_core::funnel::report(&server.state, &partner, DEMO_FORM_ID).await.is_err());
}
