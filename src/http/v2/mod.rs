//! v2 endpoints: JSON bodies, RFC 3339 timestamps, `{"data","next_page_url","previous_page_url"}` lists.

use axum::Router;

use crate::http::AppState;

/// All v2 routes.
pub fn router() -> Router<AppState> {
    Router::new()
}
