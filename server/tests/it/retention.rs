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
    assert!(server.state.store.submission(&ids[0]).await.unwrap().unwrap().envelope.is_some());

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
    let row = server.state.store.submission(&ids[0]).await.unwrap().unwrap();
    let text = serde_json::to_string(&row.tombstone).unwrap() + &serde_json::to_string(&row.receipt).unwrap();
    assert!(!text.contains("Ada Lovelace") && !text.contains("+49301234567"), "{text}");
}
