//! Resolving what a request names into domain values: prices (existing, inline or synthesized),
//! coupons into discounts, item changes and new invoice items, with ids from the store's
//! generator or, for previews, from a stable seed. Reads the account state; never writes it.

use std::cell::Cell;
use std::collections::HashSet;

use crate::domain::catalog::{Metadata, Price};
use crate::domain::decimal::Decimal;
use crate::domain::id::IdGen;
use crate::domain::invoice::{
    Discount, InvoiceItem, ItemChange, Period, coupon_fits, discount_end, line_amount, stable_id,
};
use crate::domain::patch::Patch;
use crate::error::{Error, Result};
use crate::store::{AccountState, Ctx};

use super::params::{DiscountInput, ItemFields, PriceInput, ProductInput, TaxRateInput};
use super::{overflow, sub};

/// Where new ids come from: the store's generator for stored objects, or a seed for previews,
/// so that the same preview shows the same ids (and `starting_after` keeps working).
pub(super) struct Ids<'a> {
    live: Option<&'a IdGen>,
    seed: String,
    next: Cell<u32>,
}

impl<'a> Ids<'a> {
    pub(super) fn live(generator: &'a IdGen) -> Self {
        Ids {
            live: Some(generator),
            seed: String::new(),
            next: Cell::new(0),
        }
    }

    pub(super) fn stable(seed: String) -> Self {
        Ids {
            live: None,
            seed,
            next: Cell::new(0),
        }
    }

    pub(super) fn v1(&self, prefix: &str) -> String {
        match self.live {
            Some(generator) => generator.v1(prefix),
            None => {
                let n = self.next.get();
                self.next.set(n.wrapping_add(1));
                stable_id(prefix, &format!("{}/{n}", self.seed))
            }
        }
    }
}

/// What resolving prices, coupons and new items needs.
pub(super) struct Env<'a> {
    pub(super) s: &'a AccountState,
    pub(super) ids: &'a Ids<'a>,
    pub(super) now: i64,
    pub(super) livemode: bool,
}

impl<'a> Env<'a> {
    pub(super) fn new(s: &'a AccountState, ids: &'a Ids<'a>, ctx: &Ctx<'_>) -> Self {
        Env {
            s,
            ids,
            now: ctx.unix(),
            livemode: ctx.livemode,
        }
    }
}

pub(super) fn currency_mismatch(param: String, what: &str, got: &str, want: &str) -> Error {
    Error::param_invalid(
        param,
        None,
        format!("The {what} is in `{got}`, which does not match the invoice currency `{want}`."),
    )
}

pub(super) fn resolve_price(
    env: &Env<'_>,
    input: PriceInput,
    currency: &str,
    recurring: bool,
) -> Result<Price> {
    let synthesized = |unit_amount: i64| Price {
        id: env.ids.v1("price_"),
        created: env.now,
        livemode: env.livemode,
        active: true,
        currency: currency.to_owned(),
        lookup_key: None,
        metadata: Metadata::new(),
        nickname: None,
        product: env.ids.v1("prod_"),
        recurring: None,
        tax_behavior: "unspecified",
        unit_amount,
    };
    match input {
        PriceInput::Amount(a) | PriceInput::UnitAmount(a) => Ok(synthesized(a)),
        PriceInput::Price { id, param } => {
            let price = env
                .s
                .prices
                .get(&id)
                .ok_or_else(|| Error::missing("price", &id, &param))?;
            match (recurring, price.recurring.is_some()) {
                (false, true) => {
                    return Err(Error::param_invalid(
                        param,
                        None,
                        format!(
                            "The price specified ({id}) is set to `type=recurring` but this field only accepts prices with `type=one_time`."
                        ),
                    ));
                }
                (true, false) => {
                    return Err(Error::param_invalid(
                        param,
                        None,
                        format!(
                            "The price specified ({id}) is set to `type=one_time` but this field only accepts prices with `type=recurring`."
                        ),
                    ));
                }
                _ => {}
            }
            if price.currency != currency {
                return Err(currency_mismatch(param, "price", &price.currency, currency));
            }
            Ok(price.clone())
        }
        PriceInput::PriceData(d) => {
            if d.currency != currency {
                return Err(currency_mismatch(
                    sub(&d.param, "currency"),
                    "price_data",
                    &d.currency,
                    currency,
                ));
            }
            if recurring && d.recurring.is_none() {
                return Err(Error::ParameterMissing {
                    param: sub(&d.param, "recurring"),
                });
            }
            let product = match d.product {
                ProductInput::Existing(id) => {
                    if !env.s.products.contains(&id) {
                        return Err(Error::missing("product", &id, sub(&d.param, "product")));
                    }
                    id
                }
                ProductInput::Inline { .. } => env.ids.v1("prod_"),
            };
            Ok(Price {
                product,
                recurring: d.recurring,
                tax_behavior: d.tax_behavior.unwrap_or("unspecified"),
                ..synthesized(d.unit_amount)
            })
        }
    }
}

pub(super) fn resolve_discounts(
    env: &Env<'_>,
    inputs: Vec<DiscountInput>,
    currency: &str,
    customer: &str,
    invoice: Option<&str>,
    item: Option<&str>,
) -> Result<Vec<Discount>> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(inputs.len());
    for d in inputs {
        let coupon = env
            .s
            .coupons
            .get(&d.coupon)
            .ok_or_else(|| Error::missing("coupon", &d.coupon, &d.param))?;
        if !seen.insert(d.coupon.clone()) {
            return Err(Error::param_invalid(
                d.param,
                None,
                format!("The coupon {} is applied more than once.", d.coupon),
            ));
        }
        if !coupon_fits(coupon, currency) {
            return Err(Error::param_invalid(
                d.param,
                None,
                format!(
                    "The coupon {} takes a fixed amount off in another currency and can't be applied to amounts in `{currency}`.",
                    d.coupon
                ),
            ));
        }
        out.push(Discount {
            id: env.ids.v1("di_"),
            coupon: coupon.clone(),
            customer: customer.to_owned(),
            invoice: invoice.map(str::to_owned),
            invoice_item: item.map(str::to_owned),
            start: env.now,
            end: discount_end(coupon, env.now),
        });
    }
    Ok(out)
}

/// Checks `tax_rates`. The only tax rates the mock has are the ones `tax_amounts` creates,
/// which Stripe archives at once: "TaxRate objects created automatically by Stripe are
/// immediately archived, do not appear in the line item's `tax_rates`, and cannot be directly
/// added to invoices, payments, or line items." So an id is either unknown (`resource_missing`)
/// or one of those (refused); nothing is ever stored, and `""` has nothing to clear.
pub(super) fn check_tax_rates(env: &Env<'_>, rates: Patch<Vec<TaxRateInput>>) -> Result<()> {
    let Patch::Set(rates) = rates else {
        return Ok(());
    };
    match rates.into_iter().next() {
        None => Ok(()),
        Some(r) if !env.s.tax_rates.contains(&r.id) => {
            Err(Error::missing("tax rate", &r.id, &r.param))
        }
        Some(r) => Err(Error::invalid_uncoded(
            format!(
                "The tax rate {} was created automatically from `tax_amounts`: such tax rates are archived and cannot be directly added to invoices, payments, or line items.",
                r.id
            ),
            Some(r.param),
        )),
    }
}

pub(super) fn resolve_change(
    env: &Env<'_>,
    fields: ItemFields,
    currency: &str,
    customer: &str,
    item: Option<&str>,
) -> Result<ItemChange> {
    let whole_amount = matches!(fields.price, Some(PriceInput::Amount(_)));
    let price = fields
        .price
        .map(|p| resolve_price(env, p, currency, false))
        .transpose()?;
    let discounts = match fields.discounts {
        Patch::Absent => None,
        Patch::Unset => Some(Vec::new()),
        Patch::Set(d) => Some(resolve_discounts(env, d, currency, customer, None, item)?),
    };
    check_tax_rates(env, fields.tax_rates)?;
    Ok(ItemChange {
        price: price.map(std::sync::Arc::new),
        // `amount` is the whole charge: one unit of it.
        quantity: if whole_amount {
            Some(Decimal::from_int(1))
        } else {
            fields.quantity
        },
        description: fields.description,
        discountable: fields.discountable,
        discounts,
        metadata: fields.metadata,
        period: fields.period,
    })
}

pub(super) fn new_item(
    env: &Env<'_>,
    id: String,
    fields: ItemFields,
    customer: &str,
    currency: &str,
    invoice: Option<&str>,
) -> Result<InvoiceItem> {
    if fields.price.is_none() {
        return Err(Error::InvalidRequest {
            code: Some("parameter_missing"),
            message: format!(
                "You must pass one of `amount`, `price` or `price_data`{}.",
                if fields.param.is_empty() {
                    String::new()
                } else {
                    format!(" in {}", fields.param)
                }
            ),
            param: Some(sub(&fields.param, "amount")),
        });
    }
    let change = resolve_change(env, fields, currency, customer, Some(&id))?;
    let Some(price) = change.price else {
        return Err(Error::Internal("a new item lost its price".into()));
    };
    let quantity = change.quantity.unwrap_or(Decimal::from_int(1));
    let amount = line_amount(price.unit_amount, quantity).map_err(|_| overflow())?;
    let mut metadata = Metadata::new();
    if let Some(m) = change.metadata {
        m.merge_into(&mut metadata);
    }
    Ok(InvoiceItem {
        id,
        customer: customer.to_owned(),
        currency: currency.to_owned(),
        date: env.now,
        description: change.description.into_option(),
        // Stripe: "Defaults to true, except for negative invoice items."
        discountable: change.discountable.unwrap_or(amount >= 0),
        discounts: change.discounts.unwrap_or_default(),
        invoice: invoice.map(str::to_owned),
        livemode: env.livemode,
        metadata,
        period: change.period.unwrap_or(Period::at(env.now)),
        unit_amount: price.unit_amount,
        price,
        proration: false,
        quantity,
        subscription: None,
        amount,
    })
}

pub(super) fn price_input_currency(env: &Env<'_>, input: &PriceInput) -> Option<String> {
    match input {
        PriceInput::Price { id, .. } => env.s.prices.get(id).map(|p| p.currency.clone()),
        PriceInput::PriceData(d) => Some(d.currency.clone()),
        PriceInput::Amount(_) | PriceInput::UnitAmount(_) => None,
    }
}
