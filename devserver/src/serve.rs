//! The accept loop. Each connection's head is read first (`base::head`), then the connection is
//! served by hyper (HTTP/1.1) and can be killed from inside a request, which is how a fault
//! closes a connection without answering.
//!
//! Keep-alive is off: every request gets its own connection, so a browser never mistakes a
//! dropped connection for a stale pooled one and silently resends the request.
//!
//! No client can hold the server: the head must arrive within the header timeout, a response
//! the client stops reading is abandoned after the idle timeout (the body timeout is in
//! `middleware::record`), and open connections are capped, both origins together. At the
//! cap a new connection closes the one that has waited longest for its head (a slow-loris
//! client's), or, when every open connection is a request being served, is answered 503.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::to_bytes;
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use crate::base::connection::{Connection, Gate, Ticket, Timeouts};
use crate::base::head::{self, Head, HeadRefusal};
use crate::state::outage::{StorageMode, StorageSwitch};

/// Serves `router` on `listener` until `shutdown` turns true, then lets open connections finish
/// for up to 2 s.
pub async fn serve(listener: TcpListener, router: Router, gate: Arc<Gate>, timeouts: Timeouts, shutdown: watch::Receiver<bool>) {
    serve_switched(listener, None, router, gate, timeouts, shutdown).await;
}

/// `serve`, for an origin `switch` can take down: while it says `Down` the listener is closed,
/// so connections are refused as by a host that is down; it is bound again, at the same
/// address, when the switch changes. The switch hears when each change is in force.
pub async fn serve_switched(listener: TcpListener, switch: Option<Arc<StorageSwitch>>, router: Router, gate: Arc<Gate>, timeouts: Timeouts, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    let addr = listener.local_addr().ok();
    let mut listener = Some(listener);
    let mut changes = switch.as_ref().map(|s| s.watch());
    loop {
        if let (Some(switch), Some(addr)) = (&switch, addr) {
            let mode = switch.get();
            if mode == StorageMode::Down {
                listener = None;
            } else if listener.is_none() {
                match TcpListener::bind(addr).await {
                    Ok(l) => listener = Some(l),
                    // Someone else took the port meanwhile: try again shortly.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                }
            }
            switch.applied(mode);
        }
        tokio::select! {
            accepted = accept(listener.as_ref()) => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let evict = Arc::new(Notify::new());
                let Some(ticket) = gate.admit(evict.clone()) else { continue };
                let _ = stream.set_nodelay(true);
                connections.spawn(connection(stream, router.clone(), ticket, evict, timeouts, shutdown.clone()));
            }
            _ = changed(changes.as_mut()) => {}
            _ = stopped(&mut shutdown) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(3), async { while connections.join_next().await.is_some() {} }).await;
    connections.abort_all();
}

async fn connection(mut stream: TcpStream, router: Router, ticket: Ticket, evict: Arc<Notify>, timeouts: Timeouts, mut shutdown: watch::Receiver<bool>) {
    let deadline = Instant::now() + timeouts.header;
    let head = tokio::select! {
        head = head::read(&mut stream, deadline, timeouts.header) => head,
        // Evicted by a newer connection, or the server is stopping: nothing was asked yet.
        _ = evict.notified() => return,
        _ = stopped(&mut shutdown) => return,
    };
    ticket.served();
    let buf = match head {
        Head::Closed => return,
        Head::Refused(req) => return answer_directly(stream, &router, req, timeouts.idle).await,
        Head::Complete(buf) if ticket.over_cap => {
            let busy = HeadRefusal { status: StatusCode::SERVICE_UNAVAILABLE, reason: "too many open connections; try again".into() };
            return answer_directly(stream, &router, head::request(&buf, busy), timeouts.idle).await;
        }
        Head::Complete(buf) => buf,
    };

    let handle = Connection::default();
    let ext = handle.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ext.clone());
        router.clone().oneshot(req)
    });
    let io = Prefixed { prefix: buf, pos: 0, inner: stream, idle: timeouts.idle, stalled: None };
    let conn = http1::Builder::new().keep_alive(false).serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        // Dropping the connection closes the socket; nothing more is written.
        _ = handle.killed() => {}
        _ = stopped(&mut shutdown) => {
            conn.as_mut().graceful_shutdown();
            tokio::select! {
                _ = tokio::time::timeout(Duration::from_secs(2), conn.as_mut()) => {}
                _ = handle.killed() => {}
            }
        }
    }
    drop(ticket);
}

/// Runs a refused request through the router (so the answer has the documented body, CORS, a
/// request id and a log entry), writes the answer itself and closes the connection.
async fn answer_directly(mut stream: TcpStream, router: &Router, req: axum::http::Request<()>, idle: Duration) {
    let Ok(resp) = router.clone().oneshot(req.map(|()| axum::body::Body::empty())).await;
    let bytes = serialize(resp).await;
    if tokio::time::timeout(idle, stream.write_all(&bytes)).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    // Read what the client is still sending for a moment, so closing does not reset the
    // connection before it has read the answer.
    let mut sink = [0u8; 8192];
    let linger = Instant::now() + Duration::from_secs(1);
    let mut left = 1usize << 20;
    while left > 0 {
        match tokio::time::timeout_at(linger, stream.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => left = left.saturating_sub(n),
            _ => break,
        }
    }
}

/// An HTTP/1.1 response with `Connection: close`.
async fn serialize(resp: Response) -> Vec<u8> {
    let (parts, body) = resp.into_parts();
    let body = to_bytes(body, 1 << 20).await.unwrap_or_default();
    let mut out = format!("HTTP/1.1 {}\r\n", parts.status).into_bytes();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_LENGTH && name != header::CONNECTION && name != header::TRANSFER_ENCODING {
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(format!("content-length: {}\r\nconnection: close\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(&body);
    out
}

/// The socket, with the bytes read for the head served first, and a write that fails once the
/// client has accepted nothing for the idle timeout.
struct Prefixed {
    prefix: Vec<u8>,
    pos: usize,
    inner: TcpStream,
    idle: Duration,
    /// Running while a write waits on the client.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Prefixed {
    /// A pending write: fails once it has been pending for the idle timeout.
    fn poll_stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let idle = self.idle;
        let sleep = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading the response")),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Prefixed {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.pos < self.prefix.len() {
            let n = buf.remaining().min(self.prefix.len() - self.pos);
            let start = self.pos;
            buf.put_slice(&self.prefix[start..start + n]);
            self.pos += n;
            if self.pos == self.prefix.len() {
                self.prefix = Vec::new();
                self.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => self.poll_stall(cx).map(Err),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write_vectored(cx, bufs) {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => self.poll_stall(cx).map(Err),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The next connection; never, while the listener is closed.
async fn accept(listener: Option<&TcpListener>) -> io::Result<(TcpStream, std::net::SocketAddr)> {
    match listener {
        Some(l) => l.accept().await,
        None => std::future::pending().await,
    }
}

/// Resolves when the switch changes; never, without one (or once it is gone).
async fn changed(changes: Option<&mut watch::Receiver<StorageMode>>) {
    let gone = match changes {
        Some(rx) => rx.changed().await.is_err(),
        None => true,
    };
    if gone {
        std::future::pending::<()>().await;
    }
}

/// Resolves once shutdown is asked for (the guard `wait_for` returns is not `Send`).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await.is_ok();
}
