//! Exports: each format opens in its own reader (CSV with the csv crate, XLSX with
//! calamine, JSON with serde and verified offline, the encrypted ZIP with Debian's
//! 7z), the compact export holds no personal field, formulas are neutralised,
//! deleted submissions export without answers, every export is audited without
//! data, and every role gets the right export or 403.

use crate::common::JsonResponse;
use std::io::Cursor;

use calamine::{Reader as _, Xlsx, open_workbook_from_rs};
use formseal_core::accounts::{self, Operator, Role};
use formseal_core::audit;
use formseal_core::store::AuditFilter;
use formseal_model::demo::DEMO_FORM_ID;
use formseal_model::export::{ExportDoc, KeySet, PublicKeys, verify_export};
use formseal_model::tombstone::{SignedTombstone, Tombstone};
use formseal_model::{DataClass, Field, FieldKind, FormDef, LocalText};
use serde_json::json;

use crate::common::{TestServer, envelope_for, prove, sign, start};

const PASSWORD: &str = "correct horse battery staple";
pub const FORM: &str = "mixed";
const ZIP_PASSWORD: &str = "7KQ2-M9XD-4RTA-HW3N-PZ8E-CF6B-JV5U";

/// A form with a personal, a special-category and two not-personal fields.
pub fn mixed_form() -> FormDef {
    let mut def = formseal_model::demo::contact_tracing();
    def.id = FORM.into();
    let field = |key: &str, label: &str, class: DataClass, kind: FieldKind| Field {
        key: key.into(),
        label: LocalText::new(label, label),
        help: None,
        placeholder: None,
        required: false,
        class,
        visible_if: None,
        required_if: None,
        kind,
    };
    let text = || FieldKind::ShortText { min_len: None, max_len: None, pattern: None };
    def.fields = vec![
        field("name", "Name", DataClass::Personal, text()),
        field("health", "Health", DataClass::Special, FieldKind::LongText { max_len: None }),
        field("table", "Table", DataClass::None, text()),
        field("remark", "Remark", DataClass::None, FieldKind::LongText { max_len: None }),
    ];
    def
}

/// The mixed form with three submissions, the third one deleted with a tombstone.
/// Returns the submission ids.
pub async fn seed(server: &TestServer) -> Vec<String> {
    let version = formseal_core::forms::publish(&server.state, mixed_form(), &["*".into()]).await.unwrap().version;
    let rows = [
        ("Ada Lovelace", "asthma", "7", "=HYPERLINK(\"http://evil.example\",\"click\")"),
        ("Grace Hopper", "none", "-3", "Müller; \"quoted\"\nsecond line"),
        ("Eve Deleted", "flu", "12", "@SUM(A1)"),
    ];
    let mut ids = Vec::new();
    for (n, (name, health, table, remark)) in rows.into_iter().enumerate() {
        let answers = [("name", name), ("health", health), ("table", table), ("remark", remark)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), json!(v)))
            .collect();
        let request = sign(&envelope_for(FORM, &version, answers, 5000 + n as u64));
        let request = prove(&server.client, &server.base, FORM, &request).await;
        let (status, body) = server.post(FORM, &serde_json::to_value(request).unwrap()).await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["receipt"]["submission"].as_str().unwrap().to_owned());
    }
    let row = server.state.store().submission(&ids[2]).await.unwrap().unwrap();
    let key = server.state.keys.active();
    let tombstone = Tombstone {
        v: 1,
        submission: ids[2].clone(),
        form: FORM.into(),
        envelope: row.envelope_digest,
        reason: "erasure".into(),
        request: None,
        deleted_at: "2026-11-27T12:00:00.000Z".into(),
    };
    let signed = SignedTombstone::sign(tombstone, &key.id, key.signing_key()).unwrap();
    assert!(server.state.store().erase_payload(&ids[2], &serde_json::to_value(signed).unwrap(), &[]).await.unwrap());
    ids
}

pub async fn account(server: &TestServer, name: &str, role: Role, forms: &[&str], personal: &[&str]) -> String {
    accounts::create_account(&server.state, name, PASSWORD, role).await.unwrap();
    if role == Role::Partner {
        let owner = Operator { username: "setup".into(), role: Role::Owner, forms: vec![], personal_forms: vec![] };
        let list = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
        accounts::update_account(&server.state, &owner, name, role, list(forms), list(personal), false).await.unwrap();
    }
    server.login(name, PASSWORD).await
}

/// Posts an export request as the console's form does; status, headers, body.
pub async fn export(
    server: &TestServer,
    cookie: &str,
    form: &str,
    fields: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let res = server
        .client
        .post(format!("{}/admin/forms/{form}/export", server.base))
        .header("cookie", cookie)
        .form(fields)
        .send()
        .await
        .unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, headers, res.bytes().await.unwrap().to_vec())
}

pub async fn keys(server: &TestServer) -> KeySet {
    let res = server.client.get(format!("{}/.well-known/formseal-keys.json", server.base)).send().await.unwrap();
    let keys: PublicKeys = res.json().await.unwrap();
    KeySet::from_public(&keys).unwrap()
}

fn csv_rows(body: &[u8]) -> Vec<Vec<String>> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 byte-order mark for Excel");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').has_headers(false).from_reader(text);
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

fn xlsx_rows(body: &[u8]) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(body.to_vec())).unwrap();
    let range = book.worksheet_range("Submissions").unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {:?}", rows[0]))
}

/// The table checks shared by CSV and XLSX.
fn check_full_table(rows: &[Vec<String>]) {
    assert_eq!(rows.len(), 4, "header and three submissions: {rows:?}");
    let (name, remark, table, status) =
        (column(rows, "Name"), column(rows, "Remark"), column(rows, "Table"), column(rows, "Status"));
    assert_eq!(rows[1][name], "Ada Lovelace");
    assert!(rows[1][remark].starts_with("'=HYPERLINK"), "formula neutralised: {}", rows[1][remark]);
    assert_eq!(rows[2][table], "-3", "a plain negative number stays a number");
    assert_eq!(rows[2][remark], "Müller; \"quoted\"\nsecond line", "umlauts, separators, quotes, newlines intact");
    // The deleted submission: a row with its receipt data, no answers.
    assert!(rows[3][status].starts_with("deleted (erasure"), "{:?}", rows[3]);
    assert!(rows[3][name].is_empty() && rows[3][remark].is_empty());
}

fn check_compact_table(rows: &[Vec<String>]) {
    assert!(!rows[0].iter().any(|h| h == "Name" || h == "Health"), "personal columns: {:?}", rows[0]);
    assert_eq!(rows[1][column(rows, "Table")], "7");
    let all = rows.concat().join("|");
    for personal in ["Ada", "Grace", "asthma", "none|", "flu"] {
        assert!(!all.contains(personal), "{personal} in a compact export: {all}");
    }
}

#[tokio::test]
async fn every_format_opens_full_and_compact_and_verifies() {
    let server = start().await;
    seed(&server).await;
    let cookie = account(&server, "exporter", Role::Owner, &[], &[]).await;
    let keys = keys(&server).await;

    let (status, headers, csv) = export(&server, &cookie, FORM, &[("format", "csv"), ("scope", "full")]).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(headers["content-disposition"].to_str().unwrap().contains(".csv\""));
    assert_eq!(headers["cache-control"], "no-store");
    check_full_table(&csv_rows(&csv));

    let (status, headers, xlsx) = export(&server, &cookie, FORM, &[("format", "xlsx"), ("scope", "full")]).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    check_full_table(&xlsx_rows(&xlsx));

    let (status, _, json) = export(&server, &cookie, FORM, &[("format", "json"), ("scope", "full")]).await;
    assert_eq!(status, 200);
    let doc: ExportDoc = serde_json::from_slice(&json).unwrap();
    assert_eq!(doc.submissions.len(), 3);
    assert_eq!(doc.submissions[0].answers.as_ref().unwrap()["name"], "Ada Lovelace");
    let deleted = &doc.submissions[2];
    assert!(deleted.answers.is_none() && deleted.envelope.is_none() && deleted.tombstone.is_some());
    let summary = verify_export(&doc, &keys).unwrap();
    assert_eq!((summary.receipts, summary.envelopes, summary.tombstones), (3, 2, 1));

    // Compact, in every format: only the not-personal fields.
    let (_, _, csv) = export(&server, &cookie, FORM, &[("format", "csv"), ("scope", "compact")]).await;
    check_compact_table(&csv_rows(&csv));
    let (_, _, xlsx) = export(&server, &cookie, FORM, &[("format", "xlsx"), ("scope", "compact")]).await;
    check_compact_table(&xlsx_rows(&xlsx));
    let (_, headers, json) = export(&server, &cookie, FORM, &[("format", "json"), ("scope", "compact")]).await;
    assert!(headers["content-disposition"].to_str().unwrap().contains("-compact.json"));
    let text = String::from_utf8(json.clone()).unwrap();
    for personal in ["Ada", "Grace", "asthma", "\"flu\"", "public_key", "\"envelope\": {"] {
        assert!(!text.contains(personal), "{personal} in a compact JSON export");
    }
    let doc: ExportDoc = serde_json::from_slice(&json).unwrap();
    assert!(doc.compact);
    let mut keys_kept: Vec<_> = doc.submissions[0].answers.as_ref().unwrap().keys().cloned().collect();
    keys_kept.sort();
    assert_eq!(keys_kept, ["remark", "table"]);
    // Receipts and the chain still verify in a compact export.
    assert_eq!(verify_export(&doc, &keys).unwrap().receipts, 3);
}

#[tokio::test]
async fn an_encrypted_export_opens_with_7z_and_the_password_only() {
    let server = start().await;
    seed(&server).await;
    let cookie = account(&server, "exporter", Role::Owner, &[], &[]).await;

    // Too short a password is refused, so a typo cannot make a weak file.
    let short = [("format", "csv"), ("scope", "full"), ("encrypted", "on"), ("password", "short")];
    assert_eq!(export(&server, &cookie, FORM, &short).await.0, 400);

    let fields = [("format", "xlsx"), ("scope", "full"), ("encrypted", "on"), ("password", ZIP_PASSWORD)];
    let (status, headers, zip) = export(&server, &cookie, FORM, &fields).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/zip");
    let name = headers["content-disposition"].to_str().unwrap().to_owned();
    assert!(name.contains(".zip\""), "{name}");
    assert!(!zip.windows(b"Ada Lovelace".len()).any(|w| w == b"Ada Lovelace"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.zip");
    std::fs::write(&file, &zip).unwrap();
    let seven = |args: &[&str]| std::process::Command::new("7z").args(args).output().expect("7z (apt: p7zip-full)");
    let listed = seven(&["l", "-slt", file.to_str().unwrap()]);
    let listing = String::from_utf8_lossy(&listed.stdout);
    assert!(listing.contains("AES-256"), "AES-256 encryption: {listing}");
    let wrong = seven(&["x", "-so", "-pnot-the-password", file.to_str().unwrap()]);
    assert!(!wrong.status.success(), "a wrong password does not open it");
    let out = seven(&["x", "-so", &format!("-p{ZIP_PASSWORD}"), file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    check_full_table(&xlsx_rows(&out.stdout));
}

#[tokio::test]
async fn every_export_is_audited_with_what_it_held_and_no_data() {
    let server = start().await;
    seed(&server).await;
    let cookie = account(&server, "exporter", Role::Owner, &[], &[]).await;
    export(&server, &cookie, FORM, &[("format", "csv"), ("scope", "full")]).await;
    export(
        &server,
        &cookie,
        FORM,
        &[("format", "json"), ("scope", "compact"), ("encrypted", "on"), ("password", ZIP_PASSWORD)],
    )
    .await;
    let filter = AuditFilter::from_inputs("", formseal_core::audit::Action::SubmissionsExported.as_str(), "", "");
    let rows = audit::search(&server.state, &crate::common::setup_owner(), &filter, 0, 10).await.unwrap();
    let details: Vec<_> = rows.iter().map(|r| (r.actor.as_str(), r.object.as_str(), r.detail.as_str())).collect();
    assert!(
        details.contains(&("exporter", FORM, "3 submissions (1 deleted) as CSV, full, not encrypted")),
        "{details:?}"
    );
    assert!(
        details.contains(&("exporter", FORM, "3 submissions (1 deleted) as JSON, compact, encrypted")),
        "{details:?}"
    );
    for (_, _, detail) in details {
        assert!(!detail.contains("Ada") && !detail.contains(ZIP_PASSWORD), "no data or password in the audit log");
    }
}

#[tokio::test]
async fn every_role_gets_the_export_it_may_have() {
    let server = start().await;
    seed(&server).await;
    let full = [("format", "csv"), ("scope", "full")];
    let compact = [("format", "csv"), ("scope", "compact")];
    for role in Role::ALL {
        let name = format!("as-{}", role.as_str());
        let cookie = account(&server, &name, role, &[FORM], &[]).await;
        let (status, _, body) = export(&server, &cookie, FORM, &full).await;
        if role == Role::Partner {
            assert_eq!(status, 403, "a partner without a grant gets no full export");
        } else {
            assert_eq!(status, 200, "{name}");
            assert!(String::from_utf8_lossy(&body).contains("Ada Lovelace"));
        }
        let (status, _, body) = export(&server, &cookie, FORM, &compact).await;
        assert_eq!(status, 200, "{name} may take the compact export");
        assert!(!String::from_utf8_lossy(&body).contains("Ada Lovelace"));
    }
    // A partner granted personal data for the form gets the full export; another
    // form's id answers as if it did not exist.
    let granted = account(&server, "granted", Role::Partner, &[FORM], &[FORM]).await;
    assert_eq!(export(&server, &granted, FORM, &full).await.0, 200);
    let elsewhere = account(&server, "elsewhere", Role::Partner, &[DEMO_FORM_ID], &[]).await;
    assert_eq!(export(&server, &elsewhere, FORM, &compact).await.0, 404);
    // No session, and a request started by another site's page.
    assert_eq!(export(&server, "formseal_session=none", FORM, &compact).await.0, 401);
    let owner = account(&server, "owner2", Role::Owner, &[], &[]).await;
    let cross = server
        .client
        .post(format!("{}/admin/forms/{FORM}/export", server.base))
        .header("cookie", &owner)
        .header("origin", "https://evil.example")
        .form(&compact)
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    // A console page posts the export form with `Origin: null` (it sends no
    // referrer); the browser's Sec-Fetch-Site tells a same-origin post from another site's.
    for (site, expected) in [("same-origin", 200), ("cross-site", 403), ("same-site", 403)] {
        let res = server
            .client
            .post(format!("{}/admin/forms/{FORM}/export", server.base))
            .header("cookie", &owner)
            .header("origin", "null")
            .header("sec-fetch-site", site)
            .form(&compact)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), expected, "Origin: null, Sec-Fetch-Site: {site}");
    }
    // Bad arguments are readable errors.
    assert_eq!(export(&server, &owner, FORM, &[("format", "pdf"), ("scope", "full")]).await.0, 400);
}
