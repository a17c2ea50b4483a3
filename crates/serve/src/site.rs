//! The HTTP side: the published files, `/healthz` and `/metrics`.
//!
//! Files are served by tower-http's `ServeDir`, which decodes the path and
//! refuses any `..`, root or drive component (so `/../x` and `/%2e%2e/x` are
//! 404s), guesses the type from the extension, serves `index.html` for a
//! directory and answers GET and HEAD only.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{metrics, Health, Shared};

/// The published file that shows something has been published.
const INDEX: &str = "index.html";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let files = ServeDir::new(&shared.output_dir).append_index_html_on_directories(true);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback_service(files)
        .with_state(shared)
        // A preview: every reload must show the latest update.
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

async fn healthz(State(shared): State<Arc<Shared>>) -> Response {
    let unavailable = |why: String| (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n"));
    let (status, body) = match shared.health() {
        Health::Ok => (StatusCode::OK, "ok\n".to_owned()),
        Health::ServingOnly if shared.output_dir.join(INDEX).is_file() => {
            (StatusCode::OK, "ok\n".to_owned())
        }
        Health::ServingOnly => unavailable(format!(
            "nothing published in {} yet",
            shared.output_dir.display()
        )),
        Health::Starting => unavailable("the first update is still running".to_owned()),
        Health::Failed(why) => unavailable(format!("the last update failed: {why}")),
    };
    (status, body).into_response()
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    match shared.metrics.encode() {
        Ok(text) => ([(CONTENT_TYPE, metrics::CONTENT_TYPE)], text).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
