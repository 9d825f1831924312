//! Retention: due answers are deleted with a signed tombstone, the receipt chain
//! still verifies, and concurrent sweeps never delete twice.

use formseal_core::{retention, submissions};
use formseal_model::demo::DEMO_FORM_ID;

use crate::common::{envelope, good_answers, sign, start};

const DAY_MS: i64 = 86_400_000;

#[tokio::test]
async fn due_answers_are_deleted_once_with_a_tombstone_and_the_chain_still_verifies() {
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;
    let mut ids = Vec::new();
    for n in 0..6 {
        let (status, body) = server.submit(&sign(&envelope(&version, good_answers(), 700 + n))).await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["receipt"]["submission"].as_str().unwrap().to_owned());
    }
    let now = chrono::Utc::now().timestamp_millis();
    // The demo form keeps answers 30 days: nothing is due yet.
    assert_eq!(retention::sweep(&server.state, now).await.unwrap(), 0);
    assert!(server.state.store().submission(&ids[0]).await.unwrap().unwrap().envelope.is_some());

    // 31 days later, two replicas sweep at the same time: each submission once.
    let later = now + 31 * DAY_MS;
    let (a, b) = tokio::join!(retention::sweep(&server.state, later), retention::sweep(&server.state, later));
    assert_eq!(a.unwrap() + b.unwrap(), 6);
    assert_eq!(retention::sweep(&server.state, later).await.unwrap(), 0);

    for id in &ids {
        let checked = submissions::checked(&server.state, id).await.unwrap();
        assert!(checked.row.envelope.is_none(), "the answers are gone");
        assert!(checked.receipt_valid, "the receipt stays");
        let (tombstone, valid) = checked.deleted.expect("a tombstone");
        assert!(valid);
        assert_eq!(tombstone.tombstone.reason, "retention");
        assert_eq!(tombstone.tombstone.envelope, checked.row.envelope_digest);
    }
    let chain = submissions::verify_chain(&server.state, DEMO_FORM_ID).await.unwrap();
    assert!(chain.intact && chain.receipts == 6, "{chain:?}");

    // Nothing personal is left in the stored row.
    let row = server.state.store().submission(&ids[0]).await.unwrap().unwrap();
    let text = serde_json::to_string(&row.tombstone).unwrap() + &serde_json::to_string(&row.receipt).unwrap();
    assert!(!text.contains("Ada Lovelace") && !text.contains("+49301234567"), "{text}");
}

#[tokio::test]
async fn a_legal_hold_pauses_deletion_and_needs_a_reason() {
    use formseal_core::accounts::{Operator, Role};
    let server = start().await;
    let version = server.form(DEMO_FORM_ID).await.version;
    let mut ids = Vec::new();
    for n in 0..3 {
        let (_, body) = server.submit(&sign(&envelope(&version, good_answers(), 800 + n))).await;
        ids.push(body["receipt"]["submission"].as_str().unwrap().to_owned());
    }
    let dpo = Operator { username: "dpo".into(), role: Role::Dpo, forms: vec![], personal_forms: vec![] };
    let editor = Operator { username: "ed".into(), role: Role::Editor, ..dpo.clone() };
    let later = chrono::Utc::now().timestamp_millis() + 31 * DAY_MS;

    assert_eq!(
        retention::set_hold(&server.state, &dpo, Some(DEMO_FORM_ID), None, Some("  ")).await.unwrap_err().status(),
        400
    );
    assert_eq!(
        retention::set_hold(&server.state, &editor, Some(DEMO_FORM_ID), None, Some("x")).await.unwrap_err().status(),
        403
    );

    // A hold on one submission keeps it; the others go.
    retention::set_hold(&server.state, &dpo, None, Some(&ids[0]), Some("court order 12/26")).await.unwrap();
    assert_eq!(retention::sweep(&server.state, later).await.unwrap(), 2);
    assert!(server.state.store().submission(&ids[0]).await.unwrap().unwrap().envelope.is_some());
    let overview = server.state.store().retention_overview().await.unwrap();
    let demo = overview.iter().find(|r| r.form_id == DEMO_FORM_ID).unwrap();
    assert_eq!((demo.held, demo.on_hold, demo.expired, demo.erased), (1, 1, 2, 0));
    let next_due = demo.next_due.as_deref().expect("the held submission's due date");
    assert!(chrono::DateTime::parse_from_rfc3339(next_due).is_ok(), "{next_due}");

    // A hold on the form keeps everything of it, until lifted.
    retention::set_hold(&server.state, &dpo, None, Some(&ids[0]), None).await.unwrap();
    retention::set_hold(&server.state, &dpo, Some(DEMO_FORM_ID), None, Some("tax audit")).await.unwrap();
    assert_eq!(retention::sweep(&server.state, later).await.unwrap(), 0);
    let overview = server.state.store().retention_overview().await.unwrap();
    let demo = overview.iter().find(|r| r.form_id == DEMO_FORM_ID).unwrap();
    assert_eq!((demo.held, demo.legal_hold.as_deref()), (1, Some("tax audit")));
    retention::set_hold(&server.state, &dpo, Some(DEMO_FORM_ID), None, None).await.unwrap();
    assert_eq!(retention::sweep(&server.state, later).await.unwrap(), 1);
    let overview = server.state.store().retention_overview().await.unwrap();
    let demo = overview.iter().find(|r| r.form_id == DEMO_FORM_ID).unwrap();
    assert_eq!((demo.held, demo.on_hold, demo.expired, demo.next_due.as_deref()), (0, 0, 3, None));

    // Every hold and release is in the audit log.
    let filter = formseal_core::store::AuditFilter { actor: Some("dpo".into()), ..Default::default() };
    let records =
        formseal_core::audit::search(&server.state, &crate::common::setup_owner(), &filter, 0, 10).await.unwrap();
    assert_eq!(records.len(), 4);
    assert!(records.iter().any(|r| r.action == "legal_hold_set" && r.detail == "court order 12/26"));
}
