//! Previews of a customer's next invoice: `GET /v1/invoices/upcoming`,
//! `GET /v1/invoices/upcoming/lines` (the seed's endpoint, removed from the API in
//! 2025-03-31.basil) and `POST /v1/invoices/create_preview` (its replacement, which the current
//! SDKs call). All three read the same parameters and use the same assembly; nothing is written.
//!
//! The static `upcoming` and `create_preview` segments take precedence over `/v1/invoices/{id}`
//! in axum's router.

use axum::Router;
use axum::extract::{FromRequest, Request, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Deserializer};

use crate::domain::patch::Patch;
use crate::error::{Error, Result};
use crate::http::de::{Bounded, Items, Metadata, NoParams, refuse};
use crate::http::extract::{Caller, V1Form, V1List};
use crate::http::{AppState, render};
use crate::store::invoicing::{
    DiscountInput, PreviewItem, PreviewParams, PriceInput, SubscriptionItemInput,
};
use crate::version::{ApiVersion, dates};

use super::invoice_params::{
    Currency, Discounts, Given, PreviewItemParams, PriceDataParams, Quantity, RecurringParams,
    Unsupported, discount_inputs, discounts_patch, entry, path,
};
use super::tax_params::{TaxRates, tax_rate_inputs};
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

/// `subscription_details[items][N]` (or the deprecated `subscription_items[N]`): one line of
/// a new subscription.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionItemParams {
    #[serde(default, rename = "id")]
    _id: Unsupported,
    #[serde(default, rename = "deleted")]
    _deleted: Unsupported,
    #[serde(default, rename = "clear_usage")]
    _clear_usage: Unsupported,
    #[serde(default, rename = "billing_thresholds")]
    _billing_thresholds: Unsupported,
    #[serde(default)]
    tax_rates: TaxRates,
    price: Option<String>,
    plan: Option<String>,
    price_data: Option<PriceDataParams<Option<RecurringParams>>>,
    quantity: Option<Quantity>,
    #[serde(default)]
    metadata: Metadata,
    discounts: Option<Discounts>,
}

type SubscriptionItems = Items<SubscriptionItemParams, MAX_SUBSCRIPTION_ITEMS>;

impl SubscriptionItemParams {
    /// The item at `at`.
    fn input(self, at: &str) -> Result<SubscriptionItemInput> {
        let mut found: Vec<PriceInput> = Vec::new();
        for (key, id) in [("price", self.price), ("plan", self.plan)] {
            if let Some(id) = id {
                found.push(PriceInput::Price {
                    id,
                    param: path(at, key),
                });
            }
        }
        if let Some(d) = self.price_data {
            found.push(PriceInput::PriceData(d.input(&path(at, "price_data"))?));
        }
        let price = match (found.pop(), found.is_empty()) {
            (Some(p), true) => p,
            (Some(_), false) => {
                return Err(Error::exclusive(
                    "price, plan, price_data",
                    path(at, "price"),
                ));
            }
            (None, _) => {
                return Err(Error::ParameterMissing {
                    param: path(at, "price"),
                });
            }
        };
        Ok(SubscriptionItemInput {
            param: at.to_owned(),
            price,
            quantity: self.quantity.map_or(1, |Quantity(q)| q),
            metadata: self.metadata.0,
            discounts: self
                .discounts
                .map(|d| discount_inputs(d, at))
                .unwrap_or_default(),
            tax_rates: tax_rate_inputs(self.tax_rates, &path(at, "tax_rates")),
        })
    }
}

/// The items of the array at `at`.
fn subscription_inputs(
    items: Option<SubscriptionItems>,
    at: &str,
) -> Result<Vec<SubscriptionItemInput>> {
    let Some(Items(items)) = items else {
        return Ok(Vec::new());
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| item.input(&entry(at, i)))
        .collect()
}

/// `proration_behavior` (accepted without effect).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ProrationBehavior {
    AlwaysInvoice,
    CreateProrations,
    None,
}

/// `subscription_details[…]`. The settings that only matter for an existing subscription, which
/// the mock does not model, are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionDetails {
    #[serde(default, rename = "billing_cycle_anchor")]
    _billing_cycle_anchor: Unsupported,
    #[serde(default, rename = "cancel_at")]
    _cancel_at: Unsupported,
    #[serde(default, rename = "cancel_at_period_end")]
    _cancel_at_period_end: Unsupported,
    #[serde(default, rename = "cancel_now")]
    _cancel_now: Unsupported,
    #[serde(default)]
    default_tax_rates: TaxRates,
    #[serde(default, rename = "proration_date")]
    _proration_date: Unsupported,
    #[serde(default, rename = "resume_at")]
    _resume_at: Unsupported,
    #[serde(default, rename = "trial_end")]
    _trial_end: Unsupported,
    #[serde(rename = "proration_behavior")]
    _proration_behavior: Option<ProrationBehavior>,
    items: Option<SubscriptionItems>,
    start_date: Option<Bounded<0, LATEST_TIMESTAMP>>,
}

/// `automatic_tax[enabled]`: only `false`, as invoices are untaxed.
#[derive(Debug, Clone, Copy)]
struct Untaxed;

impl<'de> Deserialize<'de> for Untaxed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if bool::deserialize(deserializer)? {
            return Err(refuse(
                None,
                None,
                "Automatic tax is not supported by this mock: invoices are untaxed.",
            ));
        }
        Ok(Untaxed)
    }
}

/// `automatic_tax[…]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AutomaticTax {
    #[serde(rename = "enabled")]
    _enabled: Option<Untaxed>,
    #[serde(default, rename = "liability")]
    _liability: Unsupported,
}

/// `preview_mode` (accepted without effect).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PreviewMode {
    Next,
    Recurring,
}

/// The parameters of the three preview endpoints. What the mock does not model (customer
/// details, schedules, Connect, the settings of an existing subscription) is refused; the
/// deprecated top-level `subscription_*` spellings are read like `subscription_details`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewQuery {
    #[serde(default, rename = "customer_details")]
    _customer_details: Unsupported,
    #[serde(default, rename = "customer_account")]
    _customer_account: Unsupported,
    #[serde(default, rename = "schedule")]
    _schedule: Unsupported,
    #[serde(default, rename = "schedule_details")]
    _schedule_details: Unsupported,
    #[serde(default, rename = "issuer")]
    _issuer: Unsupported,
    #[serde(default, rename = "on_behalf_of")]
    _on_behalf_of: Unsupported,
    #[serde(rename = "automatic_tax")]
    _automatic_tax: Option<AutomaticTax>,
    #[serde(rename = "preview_mode")]
    _preview_mode: Option<PreviewMode>,
    coupon: Option<String>,
    #[serde(default)]
    discounts: Patch<Discounts>,
    invoice_items: Option<Items<PreviewItemParams, MAX_PREVIEW_ITEMS>>,
    subscription_details: Option<SubscriptionDetails>,
    subscription_items: Option<SubscriptionItems>,
    subscription_start_date: Option<Bounded<0, LATEST_TIMESTAMP>>,
    #[serde(rename = "subscription_proration_behavior")]
    _subscription_proration_behavior: Option<ProrationBehavior>,
    #[serde(default, rename = "subscription_billing_cycle_anchor")]
    _subscription_billing_cycle_anchor: Unsupported,
    #[serde(default, rename = "subscription_cancel_at")]
    _subscription_cancel_at: Unsupported,
    #[serde(default, rename = "subscription_cancel_at_period_end")]
    _subscription_cancel_at_period_end: Unsupported,
    #[serde(default, rename = "subscription_cancel_now")]
    _subscription_cancel_now: Unsupported,
    #[serde(default)]
    subscription_default_tax_rates: TaxRates,
    #[serde(default, rename = "subscription_proration_date")]
    _subscription_proration_date: Unsupported,
    #[serde(default, rename = "subscription_resume_at")]
    _subscription_resume_at: Unsupported,
    #[serde(default, rename = "subscription_trial_end")]
    _subscription_trial_end: Unsupported,
    customer: Option<String>,
    #[serde(default)]
    currency: Given<Currency>,
    subscription: Option<String>,
}

impl PreviewQuery {
    /// The preview these parameters describe, sent at `version`.
    fn into_params(self, version: ApiVersion) -> Result<PreviewParams> {
        let p = self;
        let mut discounts = discounts_patch(p.discounts, "");
        if let Some(coupon) = p.coupon {
            // The deprecated `coupon` is one more discount; both at once are ambiguous.
            if discounts != Patch::Absent {
                return Err(Error::exclusive("coupon, discounts", "coupon"));
            }
            discounts = Patch::Set(vec![DiscountInput {
                coupon,
                param: "coupon".into(),
            }]);
        }
        let invoice_items = match p.invoice_items {
            None => Vec::new(),
            Some(Items(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let ((invoiceitem, currency), fields) = item.split();
                    Ok(PreviewItem {
                        invoiceitem,
                        currency: currency.0.map(|c| c.0),
                        fields: fields.preview_fields(&entry("invoice_items", i), version)?,
                    })
                })
                .collect::<Result<_>>()?,
        };
        let mut default_tax_rates = Vec::new();
        let (mut subscription_items, start_date) = match p.subscription_details {
            None => (Vec::new(), None),
            Some(d) => {
                let rates = tax_rate_inputs(
                    d.default_tax_rates,
                    "subscription_details[default_tax_rates]",
                );
                default_tax_rates.extend(rates.into_option().unwrap_or_default());
                (
                    subscription_inputs(d.items, "subscription_details[items]")?,
                    d.start_date,
                )
            }
        };
        let rates = tax_rate_inputs(
            p.subscription_default_tax_rates,
            "subscription_default_tax_rates",
        );
        default_tax_rates.extend(rates.into_option().unwrap_or_default());
        subscription_items.extend(subscription_inputs(
            p.subscription_items,
            "subscription_items",
        )?);
        Ok(PreviewParams {
            customer: p.customer,
            currency: p.currency.0.map(|c| c.0),
            discounts,
            invoice_items,
            subscription: p.subscription,
            subscription_items,
            default_tax_rates,
            start_date: start_date.or(p.subscription_start_date).map(|Bounded(t)| t),
        })
    }
}

async fn upcoming(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    req: Request,
) -> Result<Response> {
    // Removed in 2025-03-31.basil: the path is then an invoice id's, as on Stripe.
    if version.since(dates::BASIL) {
        return render(&InvoiceView::stored(
            &app.store.invoice(&acct, UPCOMING)?,
            version,
        ));
    }
    let V1Form(params) = V1Form::<PreviewQuery>::from_request(req, &()).await?;
    let preview = params.into_params(version)?;
    render(&InvoiceView::upcoming(
        &app.store.preview_invoice(&acct, preview)?,
        version,
    ))
}

async fn upcoming_lines(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    req: Request,
) -> Result<Response> {
    if version.since(dates::BASIL) {
        // As `GET /v1/invoices/upcoming/lines` is from basil on: the lines of an invoice,
        // looked up before its parameters are read, as the invoice itself is.
        app.store.invoice(&acct, UPCOMING)?;
        let V1List(q, NoParams {}) = V1List::<NoParams>::from_request(req, &()).await?;
        let page = app.store.invoice_lines(&acct, UPCOMING, &q)?;
        let url = format!("/v1/invoices/{UPCOMING}/lines");
        return render(&line_list(&page, url, Some(UPCOMING), version));
    }
    let V1List(q, params) = V1List::<PreviewQuery>::from_request(req, &()).await?;
    let preview = params.into_params(version)?;
    let page = app.store.preview_lines(&acct, preview, &q)?;
    render(&line_list(
        &page,
        "/v1/invoices/upcoming/lines".to_owned(),
        None,
        version,
    ))
}

/// The path segment that names the upcoming invoice before basil, and an invoice id after.
const UPCOMING: &str = "upcoming";

async fn create_preview(
    State(app): State<AppState>,
    Caller(acct): Caller,
    version: ApiVersion,
    V1Form(params): V1Form<PreviewQuery>,
) -> Result<Response> {
    let preview = params.into_params(version)?;
    // From basil on, a preview needs something to preview beyond the customer's pending
    // items (which it still includes).
    if version.since(dates::BASIL)
        && preview.subscription.is_none()
        && preview.subscription_items.is_empty()
        && preview.invoice_items.is_empty()
    {
        return Err(Error::invalid_uncoded(
            "You must provide at least one of: `subscription`, `schedule`, `subscription_details.items`, `schedule_details.phases`, `invoice_items`.",
            None,
        ));
    }
    render(&InvoiceView::preview(
        &app.store.preview_invoice(&acct, preview)?,
        version,
    ))
}
