//! The listener: at most `--max-connections` connections at once, a deadline for
//! each request's headers and one for the whole request, and a graceful shutdown
//! (requests in flight finish, idle connections close).
//!
//! Why not `axum::serve`: it has no header deadline, so a client that opens
//! connections and sends a header line every few seconds (slow-loris) keeps each
//! open forever. Here such a connection ends after [`Limits::header_timeout`], and
//! the connection cap keeps their number (and file descriptors) bounded; while it
//! is reached, new connections wait in the kernel's accept queue.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use axum::{Extension, Router};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::error::ApiError;

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    /// From a connection's start (or the end of its last request) to the end of
    /// the next request's headers.
    pub header_timeout: Duration,
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the requests
/// in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    builder.http2().timer(TokioTimer::new());
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone().layer(Extension(ConnectInfo::<SocketAddr>(peer))));
        let (builder, mut stopped) = (builder.clone(), stopped.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                ended = connection.as_mut() => {
                    if let Err(e) = ended {
                        tracing::debug!(error = %e, "connection ended");
                    }
                }
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every slot back: every connection has ended.
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
    Ok(())
}

/// Ordinary requests end within this; exports of a whole form may take longer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
pub const EXPORT_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The deadline of a whole request, body reading included: a client that sends
/// its body a byte at a time, or a handler stuck on a dependency, is answered 503
/// instead of holding the connection.
pub async fn request_deadline(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let limit = if path.ends_with("/export") { EXPORT_TIMEOUT } else { REQUEST_TIMEOUT };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            ApiError(formseal_core::Error::Unavailable(format!("request took longer than {limit:?}"))).into_response()
        }
    }
}
