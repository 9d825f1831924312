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
