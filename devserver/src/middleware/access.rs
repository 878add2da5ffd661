//! The access layers: CORS for allowed page origins, and the guard that refuses a head the
//! server could not take, an unknown `Host`, and `/__dev/*` from a page on another origin.
//!
//! As Vite's dev server does since CVE-2025-24010 (the rules are in `base::origins`): a web page
//! that rebinds its own DNS name to 127.0.0.1 is refused, and `/__dev/*` is refused outright to
//! any other origin: its calls change state, and a form or a `text/plain` fetch needs no
//! preflight.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;
use tower_http::cors::{AllowCredentials, AllowHeaders, AllowOrigin, AllowPrivateNetwork, CorsLayer};

use crate::base::body::drain;
use crate::base::head::HeadRefusal;
use crate::base::origins::Origin;
use crate::base::replies::error_reply;
use crate::state::outage::StorageMode;
use crate::state::App;

/// CORS for allowed origins only; nothing at all for the others, so their pages cannot read
/// an answer. `Vary: Origin` keeps caches from mixing the two. The storage origin switched to
/// `no_cors` answers no page at all, as a bucket whose CORS rules leave the page out.
pub fn cors(app: &Arc<App>, served: Origin) -> CorsLayer {
    let allowed = {
        let app = app.clone();
        move |origin: &HeaderValue| app.access.origin_allowed(origin.as_bytes()) && !(served == Origin::Storage && app.storage_mode.get() == StorageMode::NoCors)
    };
    let (a, b, c) = (allowed.clone(), allowed.clone(), allowed);
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| a(origin)))
        .allow_credentials(AllowCredentials::predicate(move |origin, _| c(origin)))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::RETRY_AFTER, header::ETAG, header::CONTENT_LENGTH, HeaderName::from_static("x-request-id")])
        .allow_private_network(AllowPrivateNetwork::predicate(move |origin, _| b(origin)))
}

/// Inside CORS and outside the faults: refuses a request whose head the server could not take
/// (see `base::head`), an unknown `Host`, and `/__dev/*` from a page on an origin that is not allowed.
pub async fn guard(State((app, origin)): State<(Arc<App>, Origin)>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let refuse = |status: StatusCode, details: serde_json::Value| error_reply(origin, &path, status, Some(details));
    if let Some(r) = req.extensions().get::<HeadRefusal>() {
        let mut resp = refuse(r.status, json!({"reason": r.reason}));
        if r.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        return resp;
    }
    let host = req.headers().get(header::HOST).map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned());
    let refusal = match (&host, req.uri().authority()) {
        (None, _) => Some((StatusCode::BAD_REQUEST, json!({"reason": "the request has no Host header"}))),
        (Some(h), authority) if !app.access.host_allowed(h) || authority.is_some_and(|a| !app.access.host_allowed(a.as_str())) => {
            Some((StatusCode::FORBIDDEN, json!({"reason": "this Host is not allowed (start the server with --allowed-host NAME to allow it)", "host": h})))
        }
        _ => None,
    };
    let refusal = refusal.or_else(|| {
        let page = req.headers().get(header::ORIGIN)?;
        (origin == Origin::Api && path.starts_with("/__dev/") && !app.access.origin_allowed(page.as_bytes()))
            .then(|| (StatusCode::FORBIDDEN, json!({"reason": "the control endpoints answer only allowed origins (start the server with --allow-origin ORIGIN)", "origin": lossy(page)})))
    });
    match refusal {
        Some((status, details)) => {
            drain(req.into_body()).await;
            refuse(status, details)
        }
        None => next.run(req).await,
    }
}

fn lossy(v: &HeaderValue) -> String {
    String::from_utf8_lossy(v.as_bytes()).into_owned()
}
