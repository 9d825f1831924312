//! One projection for a restricted reader: a partner with the compact view never
//! receives an e-signature (its strokes or its typed name) from the console, any
//! export or the access report, even on fields classed "not personal". The owner
//! sees both, so the markers looked for are really in what was stored.

use formseal_core::accounts::Role;
use formseal_model::{DataClass, Field, FieldKind, FormDef, LocalText};
use serde_json::{Value, json};

use crate::common::{TestServer, envelope_for, prove, sign, start};
use crate::exports::{account, export};

const FORM: &str = "signed-order";
const STATEMENT: &str = "I order as described";
/// A stroke coordinate and a typed name that appear nowhere else.
const STROKE_MARK: &str = "31337";
const TYPED_MARK: &str = "Zelda Typedname";

fn signed_form() -> FormDef {
    let mut def = formseal_model::demo::contact_tracing();
    def.id = FORM.into();
    let field = |key: &str, class: DataClass, kind: FieldKind| Field {
        key: key.into(),
        label: LocalText::new(key, key),
        help: None,
        placeholder: None,
        required: false,
        class,
        visible_if: None,
        required_if: None,
        kind,
    };
    let signature = || FieldKind::Signature { statement: LocalText::new(STATEMENT, STATEMENT) };
    // Both signatures classed "not personal" on purpose: the class must not matter.
    def.fields = vec![
        field("table", DataClass::None, FieldKind::ShortText { min_len: None, max_len: None, pattern: None }),
        field("drawn", DataClass::None, signature()),
        field("typed", DataClass::None, signature()),
    ];
    def
}

async fn seed(server: &TestServer) -> String {
    let version = formseal_core::forms::publish(&server.state, signed_form(), &["*".into()]).await.unwrap().version;
    let answers = [
        ("table".to_owned(), json!("12")),
        ("drawn".to_owned(), json!({ "statement": STATEMENT, "strokes": [[[31337, 27182, 0], [31338, 27183, 16]]] })),
        ("typed".to_owned(), json!({ "statement": STATEMENT, "typed": TYPED_MARK, "confirmed": true })),
    ]
    .into_iter()
    .collect();
    let request = prove(&server.client, &server.base, FORM, &sign(&envelope_for(FORM, &version, answers, 7100))).await;
    let (status, body) = server.post(FORM, &serde_json::to_value(request).unwrap()).await;
    assert_eq!(status, 201, "{body}");
    body["receipt"]["submission"].as_str().unwrap().to_owned()
}

async fn call(server: &TestServer, cookie: &str, name: &str, args: &[(&str, &str)]) -> (u16, String) {
    server.call_fn(Some(cookie), name, args).await
}

/// Everything a reader gets for the form: the list, the detail, and every export
/// their view allows (XLSX cells read back as text).
async fn everything(server: &TestServer, cookie: &str, submission: &str, scope: &str) -> String {
    let mut seen = Vec::new();
    let (status, list) = call(server, cookie, "submissions", &[("form", FORM), ("page", "1")]).await;
    assert_eq!(status, 200, "{list}");
    seen.push(list);
    let (status, detail) = call(server, cookie, "submission", &[("id", submission)]).await;
    assert_eq!(status, 200, "{detail}");
    seen.push(detail);
    for format in ["csv", "json", "xlsx"] {
        let (status, _, body) = export(server, cookie, FORM, &[("format", format), ("scope", scope)]).await;
        assert_eq!(status, 200, "{format} export");
        seen.push(match format {
            "xlsx" => xlsx_text(&body),
            _ => String::from_utf8(body).unwrap(),
        });
    }
    seen.join("\n")
}

fn xlsx_text(body: &[u8]) -> String {
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(body.to_vec())).unwrap();
    let range = book.worksheet_range("Submissions").unwrap();
    range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect::<Vec<_>>().join("|")
}

#[tokio::test]
async fn a_partner_never_receives_a_signature_anywhere() {
    let server = start().await;
    let submission = seed(&server).await;

    // The owner sees the signatures: the markers are there to be found.
    let owner = account(&server, "chief", Role::Owner, &[], &[]).await;
    let full = everything(&server, &owner, &submission, "full").await;
    assert!(full.contains(STROKE_MARK) && full.contains(TYPED_MARK), "the full view shows the signatures");
    let (_, detail) = call(&server, &owner, "submission", &[("id", submission.as_str())]).await;
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert!(detail["signer_key"].is_string(), "the full view names the signing key: {detail}");

    let partner = account(&server, "agency", Role::Partner, &[FORM], &[]).await;
    let compact = everything(&server, &partner, &submission, "compact").await;
    for mark in [STROKE_MARK, TYPED_MARK, "strokes"] {
        assert!(!compact.contains(mark), "{mark:?} reached a partner: {compact}");
    }
    let (_, detail) = call(&server, &partner, "submission", &[("id", submission.as_str())]).await;
    let detail: Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["compact"], json!(true));
    assert_eq!(detail["signatures"], json!([]));
    assert_eq!((detail["signer_key"].clone(), detail["link"].clone()), (Value::Null, Value::Null), "no key that ties");
    assert_eq!(detail["answers"], json!([{ "key": "table", "label": "table", "value": "12" }]), "only the table");

    // Nothing more is to be had: the full export and the access report are refused.
    let (status, _, _) = export(&server, &partner, FORM, &[("format", "json"), ("scope", "full")]).await;
    assert_eq!(status, 403);
    for report in ["report.json", "report.html"] {
        let res = server
            .client
            .get(format!("{}/admin/requests/any/{report}", server.base))
            .header("cookie", &partner)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403, "{report}");
    }
}
