//! `/v1/products`: create, retrieve, update, delete, list.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::domain::catalog::{Metadata, Product};
use crate::error::Result;
use crate::http::extract::{Caller, V1Params};
use crate::http::params::Params;
use crate::http::{AppState, render};
use crate::store::catalog::{NewProduct, ProductUpdate};

use super::{DeletedView, ListView, list_query};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/products", get(list).post(create))
        .route(
            "/v1/products/{id}",
            get(retrieve).post(update).delete(delete),
        )
}

/// Product in Stripe's shape.
#[derive(Debug, Serialize)]
pub struct ProductView<'a> {
    id: &'a str,
    object: &'static str,
    active: bool,
    created: i64,
    default_price: Option<&'a str>,
    description: Option<&'a str>,
    features: [(); 0],
    images: [(); 0],
    livemode: bool,
    metadata: &'a Metadata,
    name: &'a str,
    package_dimensions: Option<()>,
    shippable: Option<()>,
    statement_descriptor: Option<()>,
    tax_code: Option<()>,
    unit_label: Option<&'a str>,
    updated: i64,
    url: Option<()>,
}

impl<'a> From<&'a Product> for ProductView<'a> {
    fn from(p: &'a Product) -> Self {
        ProductView {
            id: &p.id,
            object: "product",
            active: p.active,
            created: p.created,
            default_price: p.default_price.as_deref(),
            description: p.description.as_deref(),
            features: [],
            images: [],
            livemode: p.livemode,
            metadata: &p.metadata,
            name: &p.name,
            package_dimensions: None,
            shippable: None,
            statement_descriptor: None,
            tax_code: None,
            unit_label: p.unit_label.as_deref(),
            updated: p.updated,
            url: None,
        }
    }
}

/// Reads the parameters of `POST /v1/products` (also used by fixtures).
///
/// # Errors
/// Invalid parameters.
pub fn new_product(p: &mut Params) -> Result<NewProduct> {
    let new = NewProduct {
        id: p.opt_string("id")?,
        active: p.opt_bool("active")?,
        description: p.opt_string("description")?,
        metadata: p.opt_metadata("metadata")?,
        name: p.req_string("name")?,
        unit_label: p.opt_string("unit_label")?,
    };
    // Accepted for SDK compatibility; products have no type distinction in this mock.
    p.opt_enum("type", &["good", "service"])?;
    Ok(new)
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let new = new_product(&mut params)?;
    params.finish()?;
    let product = app.store.create_product(&acct, new)?;
    render(&ProductView::from(&product))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Response> {
    params.finish()?;
    render(&ProductView::from(&app.store.product(&acct, &id)?))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let p = &mut params;
    let upd = ProductUpdate {
        active: p.opt_bool("active")?,
        default_price: p.patch_string("default_price")?,
        description: p.patch_string("description")?,
        metadata: p.opt_metadata("metadata")?,
        name: p.opt_string("name")?,
        unit_label: p.patch_string("unit_label")?,
    };
    params.finish()?;
    render(&ProductView::from(
        &app.store.update_product(&acct, &id, upd)?,
    ))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Json<DeletedView>> {
    params.finish()?;
    let d = app.store.delete_product(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "product")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let q = list_query(&mut params)?;
    let active = params.opt_bool("active")?;
    params.finish()?;
    let page = app.store.list_products(&acct, &q, active)?;
    render(&ListView::of(&page, "/v1/products", ProductView::from))
}
