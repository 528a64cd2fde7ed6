//! `/v1/prices`: create, retrieve, update, list. Prices cannot be deleted, as in Stripe.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Deserializer};

use crate::domain::catalog::Recurring;
use crate::domain::patch::Patch;
use crate::error::{Error, Result};
use crate::http::de::{Bounded, Metadata as MetadataParam, NoParams};
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::catalog::{NewPrice, PriceProduct, PriceUpdate};

use super::ListView;
use super::params::{Currency, Interval, ProductData, TaxBehavior, UsageType, required};
use super::views::PriceView;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/prices", get(list).post(create))
        .route("/v1/prices/{id}", get(retrieve).post(update))
}

/// `per_unit`, the only scheme the mock models.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum BillingScheme {
    PerUnit,
}

/// `recurring`: `interval` is required (`""` reads as missing, as Stripe reports it),
/// `interval_count` 1–365 (default 1), `usage_type` (default `licensed`).
#[derive(Debug)]
struct RecurringParams(Recurring);

/// [`RecurringParams`] as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecurringFields {
    interval: Option<Interval>,
    interval_count: Option<Bounded<1, 365>>,
    usage_type: Option<UsageType>,
}

impl<'de> Deserialize<'de> for RecurringParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let r = RecurringFields::deserialize(deserializer)?;
        Ok(RecurringParams(Recurring {
            interval: required(r.interval, "interval")?.into(),
            interval_count: r.interval_count.map_or(1, |Bounded(n)| n),
            usage_type: r.usage_type.unwrap_or(UsageType::Licensed).into(),
        }))
    }
}

/// Parameters of `POST /v1/prices` (also read from fixtures).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    currency: Currency,
    unit_amount: Option<i64>,
    unit_amount_decimal: Option<String>,
    product: Option<String>,
    product_data: Option<ProductData>,
    active: Option<bool>,
    lookup_key: Option<String>,
    #[serde(default)]
    metadata: MetadataParam,
    nickname: Option<String>,
    recurring: Option<RecurringParams>,
    tax_behavior: Option<TaxBehavior>,
    /// Accepted for SDK compatibility; every price is `per_unit`.
    #[serde(rename = "billing_scheme")]
    _billing_scheme: Option<BillingScheme>,
}

impl TryFrom<CreateParams> for NewPrice {
    type Error = Error;

    fn try_from(p: CreateParams) -> Result<Self> {
        let unit_amount = unit_amount(
            p.unit_amount,
            p.unit_amount_decimal,
            "unit_amount".into(),
            "unit_amount_decimal".into(),
        )?;
        let product = match (p.product, p.product_data) {
            (Some(id), None) => PriceProduct::Existing(id),
            (None, Some(ProductData { name })) => PriceProduct::Inline { name },
            (Some(_), Some(_)) => {
                return Err(Error::exclusive("product, product_data", "product"));
            }
            (None, None) => {
                return Err(Error::ParameterMissing {
                    param: "product".into(),
                });
            }
        };
        Ok(NewPrice {
            id: None,
            active: p.active,
            currency: p.currency.0,
            lookup_key: p.lookup_key,
            metadata: p.metadata.0,
            nickname: p.nickname,
            product,
            recurring: p.recurring.map(|RecurringParams(r)| r),
            tax_behavior: p.tax_behavior.map(Into::into),
            unit_amount,
        })
    }
}

/// Parameters of `POST /v1/prices/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateParams {
    active: Option<bool>,
    #[serde(default)]
    lookup_key: Patch<String>,
    #[serde(default)]
    metadata: MetadataParam,
    #[serde(default)]
    nickname: Patch<String>,
    tax_behavior: Option<TaxBehavior>,
}

impl From<UpdateParams> for PriceUpdate {
    fn from(p: UpdateParams) -> Self {
        PriceUpdate {
            active: p.active,
            lookup_key: p.lookup_key,
            metadata: p.metadata.0,
            nickname: p.nickname,
            tax_behavior: p.tax_behavior.map(Into::into),
        }
    }
}

/// Parameters of `GET /v1/prices`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    product: Option<String>,
    active: Option<bool>,
}

/// The amount per unit from `unit_amount` or `unit_amount_decimal` (a whole number), whose
/// paths are given: exactly one of them, not negative.
fn unit_amount(
    unit: Option<i64>,
    decimal: Option<String>,
    unit_path: String,
    decimal_path: String,
) -> Result<i64> {
    let amount = match (unit, decimal) {
        (Some(_), Some(_)) => {
            return Err(Error::exclusive("unit_amount, unit_amount_decimal", unit_path));
        }
        (Some(a), None) => a,
        (None, Some(d)) => d.parse::<i64>().map_err(|_| {
            Error::param_invalid(decimal_path, None, format!("Invalid unit_amount_decimal: {d}. Fractional minor units are not supported by this mock."))
        })?,
        (None, None) => return Err(Error::ParameterMissing { param: unit_path }),
    };
    if amount < 0 {
        return Err(Error::param_invalid(
            unit_path,
            None,
            "Invalid unit_amount: must be greater than or equal to 0.",
        ));
    }
    Ok(amount)
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Form(params): V1Form<CreateParams>,
) -> Result<Response> {
    let new = NewPrice::try_from(params)?;
    render(&PriceView::from(&app.store.create_price(&acct, new)?))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Response> {
    render(&PriceView::from(&app.store.price(&acct, &id)?))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(params): V1Form<UpdateParams>,
) -> Result<Response> {
    let upd = PriceUpdate::from(params);
    render(&PriceView::from(&app.store.update_price(&acct, &id, upd)?))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1List(q, params): V1List<ListParams>,
) -> Result<Response> {
    let page = app
        .store
        .list_prices(&acct, &q, params.product.as_deref(), params.active)?;
    render(&ListView::of(&page, "/v1/prices", PriceView::from))
}
