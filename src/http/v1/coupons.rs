//! `/v1/coupons`: create, retrieve, update, delete, list.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};

use crate::domain::catalog::{CouponValue, Percent};
use crate::error::{Error, Result};
use crate::http::extract::{Caller, V1Params};
use crate::http::params::Params;
use crate::http::{AppState, render};
use crate::store::catalog::{CouponUpdate, NewCoupon};

use super::prices::req_currency;
use super::views::CouponView;
use super::{DeletedView, ListView, list_query};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/coupons", get(list).post(create))
        .route(
            "/v1/coupons/{id}",
            get(retrieve).post(update).delete(delete),
        )
}

/// Reads the parameters of `POST /v1/coupons` (also used by fixtures).
///
/// # Errors
/// Invalid parameters.
pub fn new_coupon(p: &mut Params) -> Result<NewCoupon> {
    let percent = p.opt_decimal("percent_off")?;
    let amount = p.opt_i64("amount_off")?;
    let value = match (percent, amount) {
        (Some(pct), None) => CouponValue::PercentOff(Percent::from_f64(pct).ok_or_else(|| {
            Error::param_invalid(
                "percent_off",
                None,
                "Invalid percent_off: must be greater than 0 and at most 100.",
            )
        })?),
        (None, Some(a)) if a > 0 => CouponValue::AmountOff {
            amount: a,
            currency: req_currency(p, "currency")?,
        },
        (None, Some(_)) => {
            return Err(Error::param_invalid(
                "amount_off",
                None,
                "Invalid amount_off: must be a positive integer.",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(Error::InvalidRequest {
                code: Some("parameters_exclusive"),
                message: "You may only specify one of these parameters: amount_off, percent_off."
                    .into(),
                param: Some("amount_off".into()),
            });
        }
        (None, None) => {
            return Err(Error::ParameterMissing {
                param: "percent_off".into(),
            });
        }
    };
    if matches!(value, CouponValue::PercentOff(_)) {
        // Accepted (Stripe ignores it for percent coupons).
        p.opt_string("currency")?;
    }
    let duration = p
        .opt_enum("duration", &["forever", "once", "repeating"])?
        .unwrap_or("once");
    let duration_in_months = p.opt_i64_in("duration_in_months", 1, 1200)?;
    if duration == "repeating" && duration_in_months.is_none() {
        return Err(Error::ParameterMissing {
            param: "duration_in_months".into(),
        });
    }
    let new = NewCoupon {
        id: p.opt_string("id")?,
        value,
        duration,
        duration_in_months,
        max_redemptions: p.opt_i64_in("max_redemptions", 1, i64::MAX)?,
        metadata: p.opt_metadata("metadata")?,
        name: p.opt_string("name")?,
        redeem_by: p.opt_i64("redeem_by")?,
    };
    Ok(new)
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let new = new_coupon(&mut params)?;
    params.finish()?;
    render(&CouponView::from(&app.store.create_coupon(&acct, new)?))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Response> {
    params.finish()?;
    render(&CouponView::from(&app.store.coupon(&acct, &id)?))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let upd = CouponUpdate {
        metadata: params.opt_metadata("metadata")?,
        name: params.patch_string("name")?,
    };
    params.finish()?;
    render(&CouponView::from(
        &app.store.update_coupon(&acct, &id, upd)?,
    ))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Params { params, .. }: V1Params,
) -> Result<Json<DeletedView>> {
    params.finish()?;
    let d = app.store.delete_coupon(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "coupon")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let q = list_query(&mut params)?;
    params.finish()?;
    let page = app.store.list_coupons(&acct, &q)?;
    render(&ListView::of(&page, "/v1/coupons", CouponView::from))
}
