//! Floods against the real binary: connections that never finish their headers
//! (slow-loris) are closed by the header deadline, and the server keeps serving
//! everyone else meanwhile.

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::durability::{Running, command, free_port, log_file, wait_ready};

const SLOW_SOCKETS: usize = 1000;

#[tokio::test]
async fn a_thousand_slow_loris_sockets_neither_block_others_nor_stay_open() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut cmd = command(dir.path(), port, Some("mem://"));
    cmd.args(["--header-timeout-seconds", "2"]).stdout(log_file(dir.path())).stderr(log_file(dir.path()));
    let _server = Running(cmd.spawn().unwrap());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    wait_ready(&client, &base).await;

    // Each socket starts a request and never finishes its headers.
    let mut slow = Vec::with_capacity(SLOW_SOCKETS);
    for _ in 0..SLOW_SOCKETS {
        let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        socket.write_all(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.unwrap();
        slow.push(socket);
    }
    // Everyone else is still served while they hang.
    for _ in 0..5 {
        let res = client.get(format!("{base}/readyz")).send().await.expect("served beside 1,000 slow sockets");
        assert_eq!(res.status(), 200);
    }
    // The deadline closes every slow socket: each reads to its end (perhaps after a
    // 408), none stays open.
    let closed = tokio::time::timeout(Duration::from_secs(30), async {
        for socket in &mut slow {
            let mut rest = Vec::new();
            let _ = socket.read_to_end(&mut rest).await;
        }
    })
    .await;
    assert!(closed.is_ok(), "slow sockets were still open 30 s after a 2 s header deadline");
    let res = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

/// A data directory's size in bytes.
fn size_of(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => size_of(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn refused_log_ins_with_huge_user_names_store_nothing_and_the_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut cmd = command(dir.path(), port, None);
    cmd.stdout(log_file(dir.path())).stderr(log_file(dir.path()));
    let _server = Running(cmd.spawn().unwrap());
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    wait_ready(&client, &base).await;
    let before = size_of(&dir.path().join("db"));
    let huge = "x".repeat(1024 * 1024);
    let body = format!("username={huge}&password=whatever");
    for n in 0..1_000 {
        let res = client
            .post(format!("{base}/admin/fn/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await;
        // Refused before the body is read: the server may close the connection while
        // the client still sends, so a send error is a refusal too.
        if let Ok(res) = res {
            assert_eq!(res.status(), 413, "attempt {n}");
        }
        if n % 100 == 0 {
            // Its own client: the server closes a connection whose body it refused
            // unread, so a pooled one may be dead already.
            let health = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
            let health = health.get(format!("{base}/readyz")).send().await.expect("health checks answered");
            assert_eq!(health.status(), 200);
        }
    }
    let grown = size_of(&dir.path().join("db")).saturating_sub(before);
    eprintln!("1,000 log-ins with 1 MiB user names: the database grew by {grown} bytes");
    assert!(grown < 1024 * 1024, "the database grew by {grown} bytes");
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(log.len() < 1024 * 1024, "the log grew to {} bytes", log.len());
}
