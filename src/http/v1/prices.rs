//! `/v1/prices`: create, retrieve, update, list. Prices cannot be deleted, as in Stripe.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

use crate::domain::catalog::Recurring;
use crate::domain::money::is_currency;
use crate::error::{Error, Result};
use crate::http::extract::{Caller, V1Params};
use crate::http::params::Params;
use crate::http::{AppState, render};
use crate::store::catalog::{NewPrice, PriceProduct, PriceUpdate};

use super::views::PriceView;
use super::{ListView, list_query};

const INTERVALS: &[&str] = &["day", "week", "month", "year"];
const TAX_BEHAVIORS: &[&str] = &["exclusive", "inclusive", "unspecified"];

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/prices", get(list).post(create))
        .route("/v1/prices/{id}", get(retrieve).post(update))
}

/// Reads a required lowercase currency code.
///
/// # Errors
/// Missing, or not a three-letter code.
pub fn req_currency(p: &mut Params, key: &str) -> Result<String> {
    let mut c = p.req_string(key)?;
    c.make_ascii_lowercase();
    if is_currency(&c) {
        Ok(c)
    } else {
        Err(Error::param_invalid(
            p.path_of(key),
            None,
            format!("Invalid currency: {c}. Stripe currencies are three-letter ISO codes."),
        ))
    }
}

/// Reads `unit_amount` or `unit_amount_decimal` (a whole number) as a non-negative amount.
///
/// # Errors
/// Missing, negative, both given, or a fractional decimal.
pub fn req_unit_amount(p: &mut Params) -> Result<i64> {
    let unit_path = p.path_of("unit_amount");
    let decimal_path = p.path_of("unit_amount_decimal");
    let unit = p.opt_i64("unit_amount")?;
    let decimal = p.opt_string("unit_amount_decimal")?;
    let amount = match (unit, decimal) {
        (Some(_), Some(_)) => {
            return Err(Error::InvalidRequest {
                code: Some("parameters_exclusive"),
                message: "You may only specify one of these parameters: unit_amount, unit_amount_decimal.".into(),
                param: Some(unit_path),
            });
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

/// Reads `recurring[interval]`, `recurring[interval_count]`, `recurring[usage_type]`.
///
/// # Errors
/// Bad enum or out-of-range count.
pub fn opt_recurring(p: &mut Params) -> Result<Option<Recurring>> {
    p.opt_object("recurring", |r| {
        Ok(Recurring {
            interval: r.req_enum("interval", INTERVALS)?,
            interval_count: r.opt_i64_in("interval_count", 1, 365)?.unwrap_or(1),
            usage_type: r
                .opt_enum("usage_type", &["licensed", "metered"])?
                .unwrap_or("licensed"),
        })
    })
}

/// Reads the parameters of `POST /v1/prices` (also used by fixtures).
///
/// # Errors
/// Invalid parameters.
pub fn new_price(p: &mut Params) -> Result<NewPrice> {
    let currency = req_currency(p, "currency")?;
    let unit_amount = req_unit_amount(p)?;
    let product = match (
        p.opt_string("product")?,
        p.opt_object("product_data", |d| d.req_string("name"))?,
    ) {
        (Some(id), None) => PriceProduct::Existing(id),
        (None, Some(name)) => PriceProduct::Inline { name },
        (Some(_), Some(_)) => {
            return Err(Error::InvalidRequest {
                code: Some("parameters_exclusive"),
                message: "You may only specify one of these parameters: product, product_data."
                    .into(),
                param: Some("product".into()),
            });
        }
        (None, None) => {
            return Err(Error::ParameterMissing {
                param: "product".into(),
            });
        }
    };
    let new = NewPrice {
        id: None,
        active: p.opt_bool("active")?,
        currency,
        lookup_key: p.opt_string("lookup_key")?,
        metadata: p.opt_metadata("metadata")?,
        nickname: p.opt_string("nickname")?,
        product,
        recurring: opt_recurring(p)?,
        tax_behavior: p.opt_enum("tax_behavior", TAX_BEHAVIORS)?,
        unit_amount,
    };
    p.opt_enum("billing_scheme", &["per_unit"])?;
    Ok(new)
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let new = new_price(&mut params)?;
    params.finish()?;
    render(&PriceView::from(&app.store.create_price(&acct, new)?))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Response> {
    params.finish()?;
    render(&PriceView::from(&app.store.price(&acct, &id)?))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let p = &mut params;
    let upd = PriceUpdate {
        active: p.opt_bool("active")?,
        lookup_key: p.patch_string("lookup_key")?,
        metadata: p.opt_metadata("metadata")?,
        nickname: p.patch_string("nickname")?,
        tax_behavior: p.opt_enum("tax_behavior", TAX_BEHAVIORS)?,
    };
    params.finish()?;
    render(&PriceView::from(&app.store.update_price(&acct, &id, upd)?))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let q = list_query(&mut params)?;
    let product = params.opt_string("product")?;
    let active = params.opt_bool("active")?;
    params.finish()?;
    let page = app
        .store
        .list_prices(&acct, &q, product.as_deref(), active)?;
    render(&ListView::of(&page, "/v1/prices", PriceView::from))
}
