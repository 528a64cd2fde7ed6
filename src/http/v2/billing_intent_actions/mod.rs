//! The Billing Intent Action resource (`v2.billing.intent_action`): retrieve and list under
//! `/v2/billing/intents/{intent_id}/actions`. The parameters of one element of the create
//! call's `actions` array are in [`params`], the action views in [`views`].

pub mod params;
pub mod views;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::Result;
use crate::http::de::NoParams;
use crate::http::extract::{Caller, V2Query};
use crate::http::{AppState, render};

use super::params::PageParams;
use super::{ListView, Shape};
use views::ActionView;

/// Routes. The intent id segment is named `{id}` as on the intent routes (the router needs one
/// name per position).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v2/billing/intents/{id}/actions", get(list))
        .route(
            "/v2/billing/intents/{id}/actions/{action_id}",
            get(retrieve),
        )
}

/// Page-token scope of one intent's action list.
fn scope(intent_id: &str) -> String {
    format!("bilinti:{intent_id}")
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    shape: Shape,
    Path((intent_id, id)): Path<(String, String)>,
    V2Query(NoParams {}): V2Query<NoParams>,
) -> Result<Response> {
    render(&ActionView::new(
        &app.store.intent_action(&acct, &intent_id, &id)?,
        shape,
    ))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    shape: Shape,
    Path(intent_id): Path<String>,
    V2Query(params): V2Query<PageParams>,
) -> Result<Response> {
    let scope = scope(&intent_id);
    let req = params.request(&scope)?;
    let page = app.store.list_intent_actions(&acct, &intent_id, &req)?;
    let path = format!("/v2/billing/intents/{}/actions", encode_segment(&intent_id));
    render(&ListView::of(&page, &path, &scope, &req, |a| {
        ActionView::new(a, shape)
    }))
}

/// What a path segment escapes: everything but RFC 3986's unreserved characters (ids are
/// base62 in practice; anything else is escaped).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a path segment.
fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_escaped() {
        assert_eq!(encode_segment("bilint_61Ab"), "bilint_61Ab");
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
    }
}
