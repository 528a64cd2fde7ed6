//! `/v1/products`: create, retrieve, update, delete, list.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::domain::catalog::{Metadata, Product};
use crate::domain::patch::Patch;
use crate::error::Result;
use crate::http::de::{Metadata as MetadataParam, NoParams};
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::catalog::{NewProduct, ProductUpdate};
use crate::version::{ApiVersion, dates};

use super::{DeletedView, ListView};

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
    /// Legacy shapes only (before `2025-03-31.basil`).
    #[serde(skip_serializing_if = "Option::is_none")]
    features: Option<[(); 0]>,
    images: [(); 0],
    livemode: bool,
    /// From `2025-03-31.basil`.
    #[serde(skip_serializing_if = "Option::is_none")]
    marketing_features: Option<[(); 0]>,
    metadata: &'a Metadata,
    name: &'a str,
    package_dimensions: Option<()>,
    shippable: Option<()>,
    statement_descriptor: Option<()>,
    tax_code: Option<()>,
    /// From `2026-09-30.endive`.
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_details: Option<Option<()>>,
    /// From `2025-03-31.basil`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    unit_label: Option<&'a str>,
    updated: i64,
    url: Option<()>,
}

impl<'a> ProductView<'a> {
    /// `p` at `version`: the legacy shape before `2025-03-31.basil` (`features`), then
    /// `marketing_features` and `type`, and `tax_details` from `2026-09-30.endive`.
    pub fn new(p: &'a Product, version: ApiVersion) -> Self {
        let basil = version.since(dates::BASIL);
        ProductView {
            id: &p.id,
            object: "product",
            active: p.active,
            created: p.created,
            default_price: p.default_price.as_deref(),
            description: p.description.as_deref(),
            features: (!basil).then_some([]),
            images: [],
            livemode: p.livemode,
            marketing_features: basil.then_some([]),
            metadata: &p.metadata,
            name: &p.name,
            package_dimensions: None,
            shippable: None,
            statement_descriptor: None,
            tax_code: None,
            tax_details: version.since(dates::ENDIVE).then_some(None),
            kind: basil.then_some(p.kind),
            unit_label: p.unit_label.as_deref(),
            updated: p.updated,
            url: None,
        }
    }
}

/// `good|service`.
#[derive(Debug, Clone, Copy, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
enum ProductType {
    Good,
    Service,
}

/// Parameters of `POST /v1/products` (also read from fixtures).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    id: Option<String>,
    active: Option<bool>,
    description: Option<String>,
    #[serde(default)]
    metadata: MetadataParam,
    name: String,
    unit_label: Option<String>,
    #[serde(rename = "type")]
    kind: Option<ProductType>,
}

impl From<CreateParams> for NewProduct {
    fn from(p: CreateParams) -> Self {
        NewProduct {
            id: p.id,
            active: p.active,
            description: p.description,
            metadata: p.metadata.0,
            name: p.name,
            unit_label: p.unit_label,
            kind: p.kind.map(<&str>::from),
        }
    }
}

/// Parameters of `POST /v1/products/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateParams {
    active: Option<bool>,
    #[serde(default)]
    default_price: Patch<String>,
    #[serde(default)]
    description: Patch<String>,
    #[serde(default)]
    metadata: MetadataParam,
    name: Option<String>,
    #[serde(default)]
    unit_label: Patch<String>,
}

impl From<UpdateParams> for ProductUpdate {
    fn from(p: UpdateParams) -> Self {
        let UpdateParams {
            active,
            default_price,
            description,
            metadata: MetadataParam(metadata),
            name,
            unit_label,
        } = p;
        ProductUpdate {
            active,
            default_price,
            description,
            metadata,
            name,
            unit_label,
        }
    }
}

/// Parameters of `GET /v1/products`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    active: Option<bool>,
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    V1Form(params): V1Form<CreateParams>,
) -> Result<Response> {
    let product = app.store.create_product(&acct, params.into())?;
    render(&ProductView::new(&product, version))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Response> {
    render(&ProductView::new(&app.store.product(&acct, &id)?, version))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    Path(id): Path<String>,
    V1Form(params): V1Form<UpdateParams>,
) -> Result<Response> {
    let upd = ProductUpdate::from(params);
    render(&ProductView::new(
        &app.store.update_product(&acct, &id, upd)?,
        version,
    ))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Json<DeletedView>> {
    let d = app.store.delete_product(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "product")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    V1List(q, params): V1List<ListParams>,
) -> Result<Response> {
    let page = app.store.list_products(&acct, &q, params.active)?;
    render(&ListView::of(&page, "/v1/products", |p| {
        ProductView::new(p, version)
    }))
}
