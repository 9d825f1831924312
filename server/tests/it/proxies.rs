//! Client addresses behind the operator's proxies: believed only from trusted
//! peers, so two clients behind one proxy have their own limits, and a forged
//! `X-Forwarded-For` from anyone else changes nothing.

use formseal_core::accounts::{self, Role};
use formseal_core::throttle::MAX_PER_ACCOUNT_AND_ADDRESS;

use crate::common::{TestServer, start_custom};

async fn wrong_log_in(server: &TestServer, forwarded_for: &str) -> u16 {
    server
        .client
        .post(format!("{}/admin/fn/login", server.base))
        .header("x-forwarded-for", forwarded_for)
        .form(&[("username", "ada"), ("password", "not the password at all")])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn form_status(server: &TestServer, forwarded_for: &str) -> u16 {
    let url = format!("{}/api/v1/forms/{}", server.base, formseal_model::demo::DEMO_FORM_ID);
    server.client.get(url).header("x-forwarded-for", forwarded_for).send().await.unwrap().status().as_u16()
}

async fn server(trusted: Option<&str>) -> TestServer {
    let trusted = trusted.map(|t| t.parse().unwrap());
    let server = start_custom(
        |_| "mem://".into(),
        |args| {
            args.trusted_proxies = trusted;
            args.rate_limit_burst = 3;
        },
    )
    .await;
    accounts::create_account(&server.state, "ada", "tangerine lighthouse quietly borrows", Role::Viewer).await.unwrap();
    server
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limits() {
    // The test's requests come from 127.0.0.1, as from a proxy on this machine.
    let server = server(Some("127.0.0.1/32")).await;
    for _ in 0..MAX_PER_ACCOUNT_AND_ADDRESS {
        assert_eq!(wrong_log_in(&server, "198.51.100.1").await, 401);
    }
    assert_eq!(wrong_log_in(&server, "198.51.100.1").await, 429);
    // Another client behind the same proxy is not held; a client-forged entry to
    // the left of the proxy's does not make a new client.
    assert_eq!(wrong_log_in(&server, "198.51.100.2").await, 401);
    assert_eq!(wrong_log_in(&server, "203.0.113.66, 198.51.100.1").await, 429);

    // The public API's rate limit: a burst of 3 per client.
    for _ in 0..3 {
        assert_eq!(form_status(&server, "198.51.100.7").await, 200);
    }
    assert_eq!(form_status(&server, "198.51.100.7").await, 429);
    assert_eq!(form_status(&server, "198.51.100.8").await, 200);
    // IPv6 clients count per /64.
    for _ in 0..3 {
        assert_eq!(form_status(&server, "2001:db8:aa:1::1").await, 200);
    }
    assert_eq!(form_status(&server, "2001:db8:aa:1::ffff").await, 429);
    assert_eq!(form_status(&server, "2001:db8:aa:2::1").await, 200);
}

#[tokio::test]
async fn without_trusted_proxies_a_forged_forwarded_header_changes_nothing() {
    let server = server(None).await;
    for n in 0..MAX_PER_ACCOUNT_AND_ADDRESS {
        assert_eq!(wrong_log_in(&server, &format!("198.51.100.{}", n + 1)).await, 401);
    }
    assert_eq!(wrong_log_in(&server, "198.51.100.200").await, 429, "the TCP peer is the client");
    for n in 0..3 {
        assert_eq!(form_status(&server, &format!("192.0.2.{}", n + 1)).await, 200);
    }
    assert_eq!(form_status(&server, "192.0.2.99").await, 429);
}

#[tokio::test]
async fn cors_preflights_count_against_the_rate_limit() {
    let server = server(None).await;
    let preflight = || {
        server
            .client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/forms/{}/submissions", server.base, formseal_model::demo::DEMO_FORM_ID),
            )
            .header("origin", "https://shop.example")
            .header("access-control-request-method", "POST")
            .send()
    };
    for _ in 0..3 {
        assert!(preflight().await.unwrap().status().as_u16() < 400);
    }
    let limited = preflight().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
}
