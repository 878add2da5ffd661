//! The accept loop. Each connection is served by hyper (HTTP/1.1) and can be killed from inside
//! a request, which is how a fault closes a connection without answering.
//!
//! Keep-alive is off: every request gets its own connection, so a browser never mistakes a
//! dropped connection for a stale pooled one and silently resends the request.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// A request extension: the connection the request came on.
#[derive(Clone)]
pub struct Connection {
    kill: Arc<Notify>,
}

impl Connection {
    /// Closes the connection at once, without a response; the request's future is dropped.
    pub fn kill(&self) {
        self.kill.notify_one();
    }
}

/// Serves `router` on `listener` until `shutdown` turns true, then lets open connections finish
/// for up to 2 s.
pub async fn serve(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                connections.spawn(connection(stream, router.clone(), shutdown.clone()));
            }
            _ = stopped(&mut shutdown) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(3), async { while connections.join_next().await.is_some() {} }).await;
    connections.abort_all();
}

async fn connection(stream: tokio::net::TcpStream, router: Router, mut shutdown: watch::Receiver<bool>) {
    let kill = Arc::new(Notify::new());
    let ext = Connection { kill: kill.clone() };
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ext.clone());
        router.clone().oneshot(req)
    });
    let conn = http1::Builder::new().keep_alive(false).serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        // Dropping the connection closes the socket; nothing more is written.
        _ = kill.notified() => {}
        _ = stopped(&mut shutdown) => {
            conn.as_mut().graceful_shutdown();
            tokio::select! {
                _ = tokio::time::timeout(Duration::from_secs(2), conn.as_mut()) => {}
                _ = kill.notified() => {}
            }
        }
    }
}

/// Resolves once shutdown is asked for (the guard `wait_for` returns is not `Send`).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await.is_ok();
}
