//! The integrity check: it passes on an intact store and export (a tombstoned
//! submission included), and finds a flipped byte in an envelope, a deleted
//! receipt, a reordered chain and an altered tombstone, naming the first break
//! precisely. `formseal verify --export --keys` does the same offline, with exit
//! codes 0 / 1 / 2.

use std::process::Command;

use formseal_core::verify;
use serde_json::json;

use crate::common::{TestServer, start};
use crate::exports::{FORM, account, export, seed};

async fn check(server: &TestServer) -> Result<(), formseal_model::export::Break> {
    let results = verify::verify(&server.state, Some(FORM)).await.unwrap();
    assert_eq!(results.len(), 1);
    results.into_iter().next().unwrap().outcome.map(drop)
}

async fn tamper(server: &TestServer, sql: &str, id: &str) {
    server.state.store().tamper_for_tests(sql, json!({ "id": id })).await.unwrap();
}

#[tokio::test]
async fn an_intact_store_verifies_with_a_tombstoned_submission() {
    let server = start().await;
    seed(&server).await;
    let results = verify::verify(&server.state, None).await.unwrap();
    assert_eq!(results.len(), 2, "the demo form and the mixed form");
    for r in &results {
        assert!(r.intact(), "{r:?}");
    }
    let mixed = results.iter().find(|r| r.form == FORM).unwrap().outcome.clone().unwrap();
    assert_eq!((mixed.versions, mixed.receipts, mixed.envelopes, mixed.tombstones), (1, 3, 2, 1));
    assert!(verify::verify(&server.state, Some("no-such-form")).await.is_err());
}

#[tokio::test]
async fn a_flipped_byte_in_an_envelope_is_found() {
    let server = start().await;
    let ids = seed(&server).await;
    // The table number "7" becomes "8": one byte.
    tamper(&server, "UPDATE type::record('submission', $id) SET envelope.answers.table = '8'", &ids[0]).await;
    let b = check(&server).await.unwrap_err();
    assert_eq!((b.form.as_str(), b.sequence, b.submission.as_deref()), (FORM, Some(1), Some(ids[0].as_str())));
    assert!(b.problem.contains("envelope does not verify"), "{b}");
}

#[tokio::test]
async fn a_deleted_receipt_is_found() {
    let server = start().await;
    let ids = seed(&server).await;
    tamper(&server, "DELETE type::record('submission', $id)", &ids[1]).await;
    let b = check(&server).await.unwrap_err();
    assert_eq!((b.sequence, b.submission.as_deref()), (Some(2), Some(ids[2].as_str())));
    assert!(b.problem.contains("receipt 2 is missing"), "{b}");

    // The last one removed: only the chain head still knows it was there.
    let server = start().await;
    let ids = seed(&server).await;
    tamper(&server, "DELETE type::record('submission', $id)", &ids[2]).await;
    let b = check(&server).await.unwrap_err();
    assert!(b.problem.contains("chain head"), "{b}");
}

#[tokio::test]
async fn a_reordered_chain_is_found() {
    let server = start().await;
    let ids = seed(&server).await;
    tamper(&server, "UPDATE type::record('submission', $id) SET sequence = 1000", &ids[0]).await;
    tamper(&server, "UPDATE type::record('submission', $id) SET sequence = 1", &ids[1]).await;
    tamper(&server, "UPDATE type::record('submission', $id) SET sequence = 2", &ids[0]).await;
    let b = check(&server).await.unwrap_err();
    assert_eq!((b.sequence, b.submission.as_deref()), (Some(1), Some(ids[1].as_str())));
    assert!(b.problem.contains("out of order"), "{b}");
}

#[tokio::test]
async fn an_altered_tombstone_or_answers_deleted_without_one_are_found() {
    let server = start().await;
    let ids = seed(&server).await;
    tamper(&server, "UPDATE type::record('submission', $id) SET tombstone.tombstone.reason = 'retention'", &ids[2])
        .await;
    let b = check(&server).await.unwrap_err();
    assert_eq!(b.sequence, Some(3));
    assert!(b.problem.contains("tombstone's signature"), "{b}");

    tamper(&server, "UPDATE type::record('submission', $id) SET envelope = NONE", &ids[1]).await;
    let b = check(&server).await.unwrap_err();
    assert_eq!(b.sequence, Some(2));
    assert!(b.problem.contains("no tombstone"), "{b}");
}

fn formseal(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_formseal")).args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test]
async fn the_cli_verifies_an_export_offline() {
    let server = start().await;
    let ids = seed(&server).await;
    let cookie = account(&server, "auditor", formseal_core::accounts::Role::Owner, &[], &[]).await;
    let (_, _, json) = export(&server, &cookie, FORM, &[("format", "json"), ("scope", "full")]).await;
    let keys = server.client.get(format!("{}/.well-known/formseal-keys.json", server.base)).send().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (file, keys_file) = (dir.path().join("export.json"), dir.path().join("formseal-keys.json"));
    std::fs::write(&file, &json).unwrap();
    std::fs::write(&keys_file, keys.bytes().await.unwrap()).unwrap();
    let (file, keys_file) = (file.to_str().unwrap(), keys_file.to_str().unwrap());

    let (code, out) = formseal(&["verify", "--export", file, "--keys", keys_file]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("intact (1 versions, 3 receipts, 2 envelopes, 1 tombstones)"), "{out}");

    // One byte of Grace Hopper's answers changed in the file.
    let text = String::from_utf8(json).unwrap().replacen("Grace Hopper", "Grace Hoppes", 2);
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, text).unwrap();
    let (code, out) = formseal(&["verify", "--export", tampered.to_str().unwrap(), "--keys", keys_file]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("BROKEN form {FORM}, sequence 2, submission {}", ids[1])), "{out}");

    // Usage errors: a missing file, --export without --keys.
    assert_eq!(formseal(&["verify", "--export", "/no/such/file.json", "--keys", keys_file]).0, 2);
    assert_eq!(formseal(&["verify", "--export", file]).0, 2);
}
