//! `/v1/coupons`: create, retrieve, update, delete, list.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use strum::IntoStaticStr;

use crate::domain::catalog::{CouponValue, Percent};
use crate::domain::patch::Patch;
use crate::error::{Error, Result};
use crate::http::de::{Bounded, Metadata as MetadataParam, NoParams, empty_error};
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::catalog::{CouponUpdate, NewCoupon};

use super::params::currency_at;
use super::views::CouponView;
use super::{DeletedView, ListView};

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/coupons", get(list).post(create))
        .route(
            "/v1/coupons/{id}",
            get(retrieve).post(update).delete(delete),
        )
}

/// `forever|once|repeating`.
#[derive(Debug, Clone, Copy, Deserialize, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
enum Duration {
    Forever,
    Once,
    Repeating,
}

/// Parameters of `POST /v1/coupons` (also read from fixtures).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    percent_off: Option<f64>,
    amount_off: Option<i64>,
    /// Required with `amount_off` (checked then); accepted and ignored with `percent_off`.
    #[serde(default)]
    currency: Patch<String>,
    duration: Option<Duration>,
    duration_in_months: Option<Bounded<1, 1200>>,
    id: Option<String>,
    max_redemptions: Option<Bounded<1, { i64::MAX }>>,
    #[serde(default)]
    metadata: MetadataParam,
    name: Option<String>,
    redeem_by: Option<i64>,
}

impl TryFrom<CreateParams> for NewCoupon {
    type Error = Error;

    fn try_from(p: CreateParams) -> Result<Self> {
        let value = match (p.percent_off, p.amount_off) {
            (Some(pct), None) => {
                CouponValue::PercentOff(Percent::from_f64(pct).ok_or_else(|| {
                    Error::param_invalid(
                        "percent_off",
                        None,
                        "Invalid percent_off: must be greater than 0 and at most 100.",
                    )
                })?)
            }
            (None, Some(a)) if a > 0 => CouponValue::AmountOff {
                amount: a,
                currency: amount_currency(p.currency)?,
            },
            (None, Some(_)) => {
                return Err(Error::param_invalid(
                    "amount_off",
                    None,
                    "Invalid amount_off: must be a positive integer.",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(Error::exclusive("amount_off, percent_off", "amount_off"));
            }
            (None, None) => {
                return Err(Error::ParameterMissing {
                    param: "percent_off".into(),
                });
            }
        };
        let duration = p.duration.unwrap_or(Duration::Once);
        let duration_in_months = p.duration_in_months.map(|Bounded(n)| n);
        if matches!(duration, Duration::Repeating) && duration_in_months.is_none() {
            return Err(Error::ParameterMissing {
                param: "duration_in_months".into(),
            });
        }
        Ok(NewCoupon {
            id: p.id,
            value,
            duration: duration.into(),
            duration_in_months,
            max_redemptions: p.max_redemptions.map(|Bounded(n)| n),
            metadata: p.metadata.0,
            name: p.name,
            redeem_by: p.redeem_by,
        })
    }
}

/// The `currency` an `amount_off` coupon requires, lowercased.
fn amount_currency(currency: Patch<String>) -> Result<String> {
    match currency {
        Patch::Set(code) => currency_at(code, "currency".into()),
        Patch::Unset => Err(empty_error("currency".into())),
        Patch::Absent => Err(Error::ParameterMissing {
            param: "currency".into(),
        }),
    }
}

/// Parameters of `POST /v1/coupons/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateParams {
    #[serde(default)]
    metadata: MetadataParam,
    #[serde(default)]
    name: Patch<String>,
}

async fn create(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Form(params): V1Form<CreateParams>,
) -> Result<Response> {
    let new = NewCoupon::try_from(params)?;
    render(&CouponView::from(&app.store.create_coupon(&acct, new)?))
}

async fn retrieve(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Response> {
    render(&CouponView::from(&app.store.coupon(&acct, &id)?))
}

async fn update(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(params): V1Form<UpdateParams>,
) -> Result<Response> {
    let upd = CouponUpdate {
        metadata: params.metadata.0,
        name: params.name,
    };
    render(&CouponView::from(
        &app.store.update_coupon(&acct, &id, upd)?,
    ))
}

async fn delete(
    State(app): State<AppState>,
    Caller(acct): Caller,
    Path(id): Path<String>,
    V1Form(NoParams {}): V1Form<NoParams>,
) -> Result<Json<DeletedView>> {
    let d = app.store.delete_coupon(&acct, &id)?;
    Ok(Json(DeletedView::new(d.id, "coupon")))
}

async fn list(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1List(q, NoParams {}): V1List<NoParams>,
) -> Result<Response> {
    let page = app.store.list_coupons(&acct, &q)?;
    render(&ListView::of(&page, "/v1/coupons", CouponView::from))
}
