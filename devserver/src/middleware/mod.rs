//! The layers every request passes through on its way to a route, and their order.

pub mod access;
pub mod documented;
pub mod inject;
pub mod record;

use std::sync::Arc;

use axum::http::{header, HeaderName, HeaderValue};
use axum::{middleware, Router};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::base::origins::Origin;
use crate::state::App;

/// From the inside out: faults; the guard (refused heads, hosts, `/__dev/` origins), outside the
/// faults so a refusal never uses one up; errors in the documented shape; CORS (so every
/// answer carries it); no-store; the log and request id.
pub fn with_layers(router: Router, app: &Arc<App>, origin: Origin) -> Router {
    // Storage answers may be read opaquely from cross-origin-isolated pages (COEP
    // require-corp): that is how the SDK tells a storage origin that answers without CORS from
    // one that does not answer at all.
    let corp = (origin == Origin::Storage).then_some(HeaderValue::from_static("cross-origin"));
    router
        .layer(middleware::from_fn_with_state((app.clone(), origin), inject::inject))
        .layer(middleware::from_fn_with_state((app.clone(), origin), access::guard))
        .layer(middleware::from_fn_with_state(origin, documented::documented))
        .layer(access::cors(app, origin))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::if_not_present(HeaderName::from_static("cross-origin-resource-policy"), corp))
        .layer(middleware::from_fn_with_state((app.clone(), origin), record::record))
}
