//! Widget assets: content-hashed names cached for a year, the loader for minutes and
//! pointing at this build's names.

use crate::common::start_custom;

const JS: &str = "formseal_widget-0123456789abcdef.js";
const WASM: &str = "formseal_widget_bg-fedcba9876543210.wasm";
const LINK_JS: &str = "formseal_link-00112233445566ff.js";
const LINK_WASM: &str = "formseal_link_bg-ffeeddccbbaa9988.wasm";

#[tokio::test]
async fn hashed_assets_are_immutable_and_the_loader_names_them() {
    let site = tempfile::tempdir().unwrap();
    let widget = site.path().join("widget");
    std::fs::create_dir_all(&widget).unwrap();
    std::fs::write(widget.join(JS), "export default function () {}").unwrap();
    std::fs::write(widget.join(format!("{JS}.br")), b"\x0b\x0e\x80export default function () {}\x03").unwrap();
    std::fs::write(widget.join(WASM), b"\0asm\x01\0\0\0").unwrap();
    let manifest =
        format!(r#"{{ "js": "{JS}", "wasm": "{WASM}", "link_js": "{LINK_JS}", "link_wasm": "{LINK_WASM}" }}"#);
    std::fs::write(widget.join("manifest.json"), manifest).unwrap();
    let site_dir = site.path().to_owned();
    let server = start_custom(|_| "mem://".to_owned(), move |args| args.site_dir = site_dir).await;
    let get = |path: &str, encoding: &str| {
        server.client.get(format!("{}{path}", server.base)).header("accept-encoding", encoding).send()
    };

    let res = get("/embed.js", "identity").await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");
    let loader = res.text().await.unwrap();
    assert!(loader.contains(&format!("/widget/{JS}")) && loader.contains(&format!("/widget/{WASM}")), "{loader}");
    assert!(!loader.contains("formseal_widget.js") && !loader.contains("formseal_widget_bg.wasm"));
    // The landing page's loader never names the link page's bundle, and the link
    // page's script names only that one.
    assert!(!loader.contains("formseal_link"), "{loader}");
    let page_script = get("/f/page.js", "identity").await.unwrap().text().await.unwrap();
    assert!(
        page_script.contains(&format!("/widget/{LINK_JS}")) && page_script.contains(&format!("/widget/{LINK_WASM}"))
    );
    assert!(!page_script.contains("formseal_widget"), "{page_script}");

    for (path, encoding) in [(JS, "br"), (WASM, "identity")] {
        let res = get(&format!("/widget/{path}"), encoding).await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable", "{path}");
        assert_eq!(res.headers()["access-control-allow-origin"], "*", "{path}");
        if encoding == "br" {
            assert_eq!(res.headers()["content-encoding"], "br");
        }
    }
    assert_eq!(
        get(&format!("/widget/{WASM}"), "identity").await.unwrap().headers()["content-type"],
        "application/wasm"
    );
    let manifest = get("/widget/manifest.json", "identity").await.unwrap();
    assert_eq!(manifest.headers()["cache-control"], "public, max-age=300");
    // A name that is not there is not remembered as missing for a year.
    let missing = get("/widget/formseal_widget-aaaaaaaaaaaaaaaa.js", "identity").await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().get("cache-control").is_none());
}

#[tokio::test]
async fn without_a_built_widget_the_loader_still_serves_its_plain_names() {
    let server = start_custom(|_| "mem://".to_owned(), |_| {}).await;
    let loader = server.client.get(format!("{}/embed.js", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(loader.contains("/widget/formseal_widget.js"));
}
