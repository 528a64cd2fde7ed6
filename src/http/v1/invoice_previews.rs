//! Previews of a customer's next invoice: `GET /v1/invoices/upcoming`,
//! `GET /v1/invoices/upcoming/lines` (the seed's endpoint, removed from the API in
//! 2025-03-31.basil) and `POST /v1/invoices/create_preview` (its replacement, which the current
//! SDKs call). All three read the same parameters and use the same assembly; nothing is written.
//!
//! The static `upcoming` and `create_preview` segments take precedence over `/v1/invoices/{id}`
//! in axum's router.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::domain::patch::Patch;
use crate::error::{Error, Result};
use crate::http::extract::{Caller, V1Params};
use crate::http::params::Params;
use crate::http::{AppState, render};
use crate::store::invoicing::{
    DiscountInput, PreviewItem, PreviewParams, PriceInput, SubscriptionItemInput,
};

use super::invoice_params::{
    opt_currency, prefix_of, read_discounts, read_item_fields, read_price_data, reject_unsupported,
};
use super::list_query;
use super::views::{InvoiceView, line_list};

/// Most `invoice_items[]` Stripe accepts in a preview.
const MAX_PREVIEW_ITEMS: usize = 250;
/// Most subscription items Stripe accepts.
const MAX_SUBSCRIPTION_ITEMS: usize = 20;
/// 9999-12-31T23:59:59Z: the latest start date accepted.
const LATEST_TIMESTAMP: i64 = 253_402_300_799;

/// Routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/invoices/upcoming", get(upcoming))
        .route("/v1/invoices/upcoming/lines", get(upcoming_lines))
        .route("/v1/invoices/create_preview", post(create_preview))
}

fn read_subscription_item(it: &mut Params) -> Result<SubscriptionItemInput> {
    let param = prefix_of(it);
    reject_unsupported(
        it,
        &[
            "id",
            "deleted",
            "clear_usage",
            "billing_thresholds",
            "tax_rates",
        ],
    )?;
    let mut found: Vec<PriceInput> = Vec::new();
    for key in ["price", "plan"] {
        let path = it.path_of(key);
        if let Some(id) = it.opt_string(key)? {
            found.push(PriceInput::Price { id, param: path });
        }
    }
    if let Some(d) = it.opt_object("price_data", |d| read_price_data(d, true))? {
        found.push(PriceInput::PriceData(d));
    }
    let price = match (found.pop(), found.is_empty()) {
        (Some(p), true) => p,
        (Some(_), false) => {
            return Err(Error::InvalidRequest {
                code: Some("parameters_exclusive"),
                message: "You may only specify one of these parameters: price, plan, price_data."
                    .into(),
                param: Some(it.path_of("price")),
            });
        }
        (None, _) => {
            return Err(Error::ParameterMissing {
                param: it.path_of("price"),
            });
        }
    };
    let quantity_path = it.path_of("quantity");
    let quantity = it.opt_i64("quantity")?.unwrap_or(1);
    if quantity < 0 {
        return Err(Error::param_invalid(
            quantity_path,
            Some("parameter_invalid_integer"),
            "Invalid quantity: must be greater than or equal to 0.",
        ));
    }
    Ok(SubscriptionItemInput {
        param,
        price,
        quantity,
        metadata: it.opt_metadata("metadata")?,
        discounts: read_discounts(it)?.into_option().unwrap_or_default(),
    })
}

fn read_subscription_items(p: &mut Params, key: &str) -> Result<Vec<SubscriptionItemInput>> {
    Ok(p.patch_array(key, MAX_SUBSCRIPTION_ITEMS, |it, _| {
        read_subscription_item(it)
    })?
    .into_option()
    .unwrap_or_default())
}

/// Subscription settings that only matter for an existing subscription, which the mock does not
/// model.
const SUBSCRIPTION_SETTINGS: &[&str] = &[
    "billing_cycle_anchor",
    "cancel_at",
    "cancel_at_period_end",
    "cancel_now",
    "default_tax_rates",
    "proration_date",
    "resume_at",
    "trial_end",
];

/// Reads the parameters shared by the three preview endpoints.
fn read_preview(p: &mut Params) -> Result<PreviewParams> {
    reject_unsupported(
        p,
        &[
            "customer_details",
            "customer_account",
            "schedule",
            "schedule_details",
            "issuer",
            "on_behalf_of",
        ],
    )?;
    p.opt_object("automatic_tax", |a| {
        let path = a.path_of("enabled");
        if a.opt_bool("enabled")? == Some(true) {
            return Err(Error::param_invalid(
                path,
                None,
                "Automatic tax is not supported by this mock: invoices are untaxed.",
            ));
        }
        reject_unsupported(a, &["liability"])
    })?;
    p.opt_enum("preview_mode", &["next", "recurring"])?;

    let coupon_path = p.path_of("coupon");
    let coupon = p.opt_string("coupon")?;
    let mut discounts = read_discounts(p)?;
    if let Some(coupon) = coupon {
        // The deprecated `coupon` is one more discount; both at once are ambiguous.
        if discounts != Patch::Absent {
            return Err(Error::InvalidRequest {
                code: Some("parameters_exclusive"),
                message: "You may only specify one of these parameters: coupon, discounts.".into(),
                param: Some(coupon_path),
            });
        }
        discounts = Patch::Set(vec![DiscountInput {
            coupon,
            param: coupon_path,
        }]);
    }

    let invoice_items = p
        .patch_array("invoice_items", MAX_PREVIEW_ITEMS, |it, _| {
            Ok(PreviewItem {
                invoiceitem: it.opt_string("invoiceitem")?,
                currency: opt_currency(it)?,
                fields: read_item_fields(it)?,
            })
        })?
        .into_option()
        .unwrap_or_default();

    let details = p.opt_object("subscription_details", |d| {
        reject_unsupported(d, SUBSCRIPTION_SETTINGS)?;
        d.opt_enum(
            "proration_behavior",
            &["always_invoice", "create_prorations", "none"],
        )?;
        Ok((
            read_subscription_items(d, "items")?,
            d.opt_i64_in("start_date", 0, LATEST_TIMESTAMP)?,
        ))
    })?;
    // The deprecated top-level spellings of the same settings.
    let legacy_items = read_subscription_items(p, "subscription_items")?;
    let legacy_start = p.opt_i64_in("subscription_start_date", 0, LATEST_TIMESTAMP)?;
    p.opt_enum(
        "subscription_proration_behavior",
        &["always_invoice", "create_prorations", "none"],
    )?;
    let legacy: Vec<String> = SUBSCRIPTION_SETTINGS
        .iter()
        .map(|k| format!("subscription_{k}"))
        .collect();
    let legacy: Vec<&str> = legacy.iter().map(String::as_str).collect();
    reject_unsupported(p, &legacy)?;
    let (mut subscription_items, start_date) = details.unwrap_or_default();
    subscription_items.extend(legacy_items);

    Ok(PreviewParams {
        customer: p.opt_string("customer")?,
        currency: opt_currency(p)?,
        discounts,
        invoice_items,
        subscription: p.opt_string("subscription")?,
        subscription_items,
        start_date: start_date.or(legacy_start),
    })
}

async fn upcoming(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let preview = read_preview(&mut params)?;
    params.finish()?;
    render(&InvoiceView::upcoming(
        &app.store.preview_invoice(&acct, preview)?,
    ))
}

async fn upcoming_lines(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let q = list_query(&mut params)?;
    let preview = read_preview(&mut params)?;
    params.finish()?;
    let page = app.store.preview_lines(&acct, preview, &q)?;
    render(&line_list(&page, "/v1/invoices/upcoming/lines".to_owned()))
}

async fn create_preview(
    State(app): State<AppState>,
    Caller(acct): Caller,
    V1Params { mut params, .. }: V1Params,
) -> Result<Response> {
    let preview = read_preview(&mut params)?;
    params.finish()?;
    render(&InvoiceView::preview(
        &app.store.preview_invoice(&acct, preview)?,
    ))
}
