//! Property-based fuzzing of the public inputs over real HTTP: submission envelopes
//! (random bytes, random JSON, and valid signed requests with one part changed),
//! path and query parameters of the public API and the console, form
//! definitions sent to the designer, and CSV files imported as personal links. Whatever comes in: no panic, no 5xx, and
//! nothing stored from invalid input.
//!
//! Cases per property: proptest's `PROPTEST_CASES` (default here 48, so CI stays
//! quick); the long run is `PROPTEST_CASES=1000000` (docs/performance.md).

use crate::common::{JsonBody, JsonResponse};
use std::sync::{LazyLock, OnceLock};

use formseal_core::accounts::{self, Role};
use formseal_model::demo::DEMO_FORM_ID;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::common::{TestServer, envelope, good_answers, prove, sign, start};

static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap());

struct Fixture {
    server: TestServer,
    version: String,
    cookie: String,
}

/// One server for every property (started once, on the shared runtime).
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        RUNTIME.block_on(async {
            let server = start().await;
            let version = server.form(DEMO_FORM_ID).await.version;
            let password = "fuzzing password long enough 42";
            accounts::create_account(&server.state, "fuzz-owner", password, Role::Owner).await.unwrap();
            let cookie = server.login("fuzz-owner", password).await;
            let res = server
                .client
                .post(format!("{}/admin/fn/create-form", server.base))
                .header("cookie", &cookie)
                .form(&[("start", "blank"), ("id", "fuzzed-form"), ("title", "Fuzz")])
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{}", res.text().await.unwrap_or_default());
            Fixture { server, version, cookie }
        })
    })
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(48);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        "[A-Za-z0-9_-]{0,90}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Where in a request a value is replaced (paths into the JSON).
const PLACES: &[&[&str]] = &[
    &["envelope"],
    &["envelope", "v"],
    &["envelope", "form"],
    &["envelope", "version"],
    &["envelope", "nonce"],
    &["envelope", "client_time"],
    &["envelope", "answers"],
    &["envelope", "answers", "name"],
    &["envelope", "answers", "phone"],
    &["envelope", "answers", "visit_date"],
    &["envelope", "answers", "extra"],
    &["envelope", "link"],
    &["public_key"],
    &["signature"],
    &["proof"],
    &["proof", "counter"],
    &["proof", "challenge"],
    &["hp"],
];

fn set(value: &mut Value, path: &[&str], new: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut at = value;
    for p in parents {
        match at.get_mut(*p) {
            Some(v) => at = v,
            None => return,
        }
    }
    if let Some(map) = at.as_object_mut() {
        map.insert((*last).to_owned(), new);
    }
}

async fn stored(server: &TestServer) -> u64 {
    server.state.store().chain_head(DEMO_FORM_ID).await.unwrap().0
}

async fn post_raw(server: &TestServer, form: &str, body: Vec<u8>) -> u16 {
    let res = server
        .client
        .post(format!("{}/api/v1/forms/{form}/submissions", server.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bodies_are_refused_without_a_server_error(body in prop::collection::vec(any::<u8>(), 0..600), json in any_json()) {
        let f = fixture();
        RUNTIME.block_on(async {
            let before = stored(&f.server).await;
            for bytes in [body.clone(), serde_json::to_vec(&json).unwrap()] {
                let status = post_raw(&f.server, DEMO_FORM_ID, bytes).await;
                assert!((400..500).contains(&status), "status {status}");
            }
            assert_eq!(stored(&f.server).await, before, "nothing stored");
        });
    }

    #[test]
    fn a_changed_part_of_a_signed_request_is_refused_and_nothing_is_stored(
        place in 0..PLACES.len(), new in any_json(), seed in any::<u32>()
    ) {
        let f = fixture();
        RUNTIME.block_on(async {
            let request = sign(&envelope(&f.version, good_answers(), 1u64 << 40 | u64::from(seed)));
            let request = prove(&f.server.client, &f.server.base, DEMO_FORM_ID, &request).await;
            let mut body = serde_json::to_value(&request).unwrap();
            let original = body.clone();
            set(&mut body, PLACES[place], new);
            let before = stored(&f.server).await;
            let status = post_raw(&f.server, DEMO_FORM_ID, serde_json::to_vec(&body).unwrap()).await;
            assert!(status < 500, "status {status} for {body}");
            let after = stored(&f.server).await;
            if status >= 400 {
                assert_eq!(after, before, "refused ({status}) but stored: {body}");
            } else {
                // Only a change that left the signed request as it was (or changed
                // what is outside the signature without harm, like the honeypot's
                // empty value) may be accepted.
                let unchanged_signed = body["envelope"] == original["envelope"]
                    && body["signature"] == original["signature"]
                    && body["public_key"] == original["public_key"];
                assert!(unchanged_signed, "accepted a changed envelope: {body}");
            }
        });
    }

    #[test]
    fn path_and_query_parameters_never_cause_a_server_error(
        id in ".{0,60}", page in ".{0,12}", number in any::<i64>(), text in ".{0,40}"
    ) {
        let f = fixture();
        let s = &f.server;
        RUNTIME.block_on(async {
            let enc: String = url_escape(&id);
            for url in [
                format!("{}/api/v1/forms/{enc}", s.base),
                format!("{}/api/v1/forms/{enc}/challenge", s.base),
                format!("{}/api/v1/forms/{enc}?lang={}", s.base, url_escape(&text)),
                format!("{}/embed.js?form={enc}", s.base),
            ] {
                let status = s.client.get(&url).send().await.unwrap().status().as_u16();
                assert!(status < 500, "{url}: {status}");
            }
            let status = post_raw(s, &enc, b"{}".to_vec()).await;
            assert!(status < 500, "post to {enc}: {status}");
            // The console's list and audit filters, as the owner.
            let number = number.to_string();
            let calls: [(&str, Vec<(&str, &str)>); 4] = [
                ("submissions", vec![("form", &id), ("page", &page)]),
                ("submissions", vec![("form", DEMO_FORM_ID), ("page", &number)]),
                ("audit", vec![("actor", &text), ("action", &id), ("from", &page), ("to", &text), ("page", &number)]),
                ("submission", vec![("id", &id)]),
            ];
            for (name, form) in calls {
                let res = s.client.post(format!("{}/admin/fn/{name}", s.base))
                    .header("cookie", &f.cookie).form(&form).send().await.unwrap();
                let status = res.status().as_u16();
                assert!(status < 500, "/admin/fn/{name} {form:?}: {status} {}", res.text().await.unwrap_or_default());
            }
        });
    }

    #[test]
    fn random_form_definitions_never_cause_a_server_error(definition in any_json(), field in 0usize..6, value in any_json()) {
        let f = fixture();
        let s = &f.server;
        RUNTIME.block_on(async {
            // Entirely random, and the demo definition with one part replaced.
            let mut changed = serde_json::to_value(formseal_model::demo::contact_tracing()).unwrap();
            let keys = ["id", "title", "fields", "notice", "theme", "languages"];
            changed[keys[field]] = value;
            changed["id"] = json!("fuzzed-form");
            for definition in [definition.clone(), changed] {
                let body = json!({"id": "fuzzed-form", "definition": definition, "origins": ["*"]});
                let res = s.client.post(format!("{}/admin/fn/save-draft", s.base))
                    .header("cookie", &f.cookie).json(&body).send().await.unwrap();
                let status = res.status().as_u16();
                assert!(status < 500, "save-draft: {status} {}", res.text().await.unwrap_or_default());
            }
        });
    }
}

proptest! {
    #![proptest_config(config())]

    // A CSV file for personal links: rows that are nearly right (a column too many,
    // a bad phone, quotes, separators), or any text at all. The check never fails
    // with a server error, and the import creates all rows or none.
    #[test]
    fn csv_imports_create_all_rows_or_none_and_never_a_server_error(
        header in prop::sample::select(vec!["label,name,phone", "name;phone;visit_date", "label", "\"a,b\",name", ""]),
        rows in prop::collection::vec(prop::collection::vec("[A-Za-z0-9 ,;\"+.-]{0,14}", 0..5), 0..6),
        text in "\\PC{0,200}",
        raw in any::<bool>(),
        locked in prop::sample::select(vec!["", "name", "phone,nope", ",,"]),
        days in prop::sample::select(vec!["0", "30", "400", "-1", "x"]),
    ) {
        let f = fixture();
        let s = &f.server;
        RUNTIME.block_on(async {
            let csv = if raw {
                text.clone()
            } else {
                let body: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
                format!("{header}\n{}", body.join("\n"))
            };
            let before = s.state.store().links_of_form(DEMO_FORM_ID).await.unwrap().len();
            let form = [("form", DEMO_FORM_ID), ("csv", &csv), ("locked", locked), ("single_use", "true"), ("days", days)];
            let check = s.client.post(format!("{}/admin/fn/check-links-csv", s.base))
                .header("cookie", &f.cookie).form(&form).send().await.unwrap();
            let status = check.status().as_u16();
            let check: Value = check.json().await.unwrap_or(Value::Null);
            prop_assert!(status < 500, "check: {status} {check}");
            let res = s.client.post(format!("{}/admin/fn/import-links-csv", s.base))
                .header("cookie", &f.cookie).form(&form).send().await.unwrap();
            let imported = res.status().as_u16();
            let body = res.text().await.unwrap_or_default();
            prop_assert!(imported < 500, "import: {imported} {body}");
            let after = s.state.store().links_of_form(DEMO_FORM_ID).await.unwrap().len();
            if imported == 200 {
                // Exactly the rows the check listed, and only for a file it called clean.
                prop_assert_eq!(check["clean"].as_bool(), Some(true), "{}", check);
                let listed = check["rows"].as_array().map_or(0, Vec::len);
                prop_assert_eq!(after, before + listed);
            } else {
                prop_assert_eq!(after, before, "a refused import created links: {}", body);
            }
            Ok(())
        })?;
    }
}

/// Percent-encodes everything but unreserved characters.
fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
