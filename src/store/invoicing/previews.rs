//! [`Store`] methods for previews (the upcoming invoice and its lines): look up and resolve the
//! customer, pending items, prices and coupons, then let the pure domain functions
//! [`upcoming_lines`] and [`upcoming_invoice`] assemble the preview. Nothing is written; ids
//! come from a seed so that the same preview shows the same ids.

use std::sync::Arc;

use crate::domain::catalog::Metadata;
use crate::domain::decimal::Decimal;
use crate::domain::invoice::{
    InvoiceItem, LineItem, LineKind, Period, UpcomingInvoice, line_amount,
    subscription_line_description, subscription_period_end, upcoming_invoice, upcoming_lines,
};
use crate::domain::patch::Patch;
use crate::error::{Error, Result};
use crate::store::{AccountKey, ListQuery, Store};

use super::params::{
    PreviewParams, PriceDataInput, PriceInput, ProductInput, SubscriptionItemInput,
};
use super::resolve::{
    Env, Ids, check_tax_rates, currency_mismatch, new_item, price_input_currency, resolve_change,
    resolve_discounts, resolve_price,
};
use super::snapshot::{InvoiceSnapshot, LinePage, page_of, snapshot};
use super::{overflow, sub};

fn subscription_line(
    env: &Env<'_>,
    si: SubscriptionItemInput,
    currency: &str,
    customer: &str,
    start: i64,
) -> Result<LineItem> {
    let inline_name = match &si.price {
        PriceInput::PriceData(PriceDataInput {
            product: ProductInput::Inline { name },
            ..
        }) => Some(name.clone()),
        _ => None,
    };
    let price = resolve_price(env, si.price, currency, true)?;
    let Some(recurring) = price.recurring.clone() else {
        return Err(Error::Internal(
            "a subscription price lost its recurrence".into(),
        ));
    };
    let amount =
        line_amount(price.unit_amount, Decimal::from_int(si.quantity)).map_err(|_| overflow())?;
    let end = subscription_period_end(start, &recurring).ok_or_else(|| {
        Error::param_invalid(
            "subscription_details[start_date]",
            None,
            format!("A billing period starting at {start} ends beyond the representable dates."),
        )
    })?;
    let product_name = inline_name
        .or_else(|| env.s.products.get(&price.product).map(|p| p.name.clone()))
        .unwrap_or_else(|| price.product.clone());
    let mut metadata = Metadata::new();
    if let Some(m) = si.metadata {
        m.merge_into(&mut metadata);
    }
    let discounts = resolve_discounts(env, si.discounts, currency, customer, None, None)?;
    check_tax_rates(env, si.tax_rates)?;
    Ok(LineItem {
        id: env.ids.v1("il_tmp_"),
        kind: LineKind::Subscription,
        amount,
        currency: currency.to_owned(),
        description: Some(subscription_line_description(
            si.quantity,
            &product_name,
            price.unit_amount,
            currency,
            &recurring,
        )),
        discountable: true,
        discounts,
        invoice_item: None,
        livemode: env.livemode,
        metadata,
        period: Period { start, end },
        unit_amount: price.unit_amount,
        price: price.into(),
        proration: false,
        quantity: Decimal::from_int(si.quantity),
        subscription: None,
        taxes: Vec::new(),
    })
}

/// Assembles the customer's next invoice as Stripe's upcoming-invoice endpoints describe it:
/// preview-only additions and the pending items (newest first, with `invoice_items[]` changes
/// applied), then one line per previewed subscription item; nothing is written. Looks up and
/// resolves here; the domain's [`upcoming_lines`] and [`upcoming_invoice`] assemble.
fn assemble_preview(env: &Env<'_>, p: PreviewParams) -> Result<InvoiceSnapshot> {
    if let Some(sub_id) = &p.subscription {
        return Err(Error::missing("subscription", sub_id, "subscription"));
    }
    let Some(customer_id) = p.customer else {
        return Err(Error::ParameterMissing {
            param: "customer".into(),
        });
    };
    let customer = env
        .s
        .customers
        .get(&customer_id)
        .ok_or_else(|| Error::missing("customer", &customer_id, "customer"))?;
    check_tax_rates(env, Patch::Set(p.default_tax_rates))?;
    let pending_all: Vec<&InvoiceItem> = env
        .s
        .invoice_items
        .iter_newest_first()
        .map(|i| &**i)
        .filter(|i| i.customer == customer.id && i.is_pending())
        .collect();
    let currency = p
        .currency
        .clone()
        .or_else(|| customer.currency.clone())
        .or_else(|| pending_all.first().map(|i| i.currency.clone()))
        .or_else(|| {
            p.subscription_items
                .first()
                .and_then(|si| price_input_currency(env, &si.price))
        })
        .unwrap_or_else(|| "usd".to_owned());
    let mut pending: Vec<InvoiceItem> = pending_all
        .into_iter()
        .filter(|i| i.currency == currency)
        .cloned()
        .collect();

    let invoice_id = env.ids.v1("upcoming_in_");
    let mut added = Vec::new();
    for pi in p.invoice_items {
        if let Some(c) = &pi.currency {
            if *c != currency {
                return Err(currency_mismatch(
                    sub(&pi.fields.param, "currency"),
                    "invoice item",
                    c,
                    &currency,
                ));
            }
        }
        match pi.invoiceitem {
            Some(item_id) => {
                let param = sub(&pi.fields.param, "invoiceitem");
                match pending.iter().position(|i| i.id == item_id) {
                    Some(k) => {
                        let change = resolve_change(
                            env,
                            pi.fields,
                            &currency,
                            &customer.id,
                            Some(&item_id),
                        )?;
                        pending[k].apply(change).map_err(|_| overflow())?;
                    }
                    None => {
                        return Err(match env.s.invoice_items.get(&item_id) {
                            Some(it) if it.customer == customer.id => match &it.invoice {
                                Some(inv) => Error::param_invalid(
                                    param,
                                    None,
                                    format!(
                                        "The invoice item {item_id} is attached to invoice {inv}; only pending items are part of the upcoming invoice."
                                    ),
                                ),
                                None => currency_mismatch(
                                    param,
                                    "invoice item",
                                    &it.currency,
                                    &currency,
                                ),
                            },
                            _ => Error::missing("invoiceitem", &item_id, &param),
                        });
                    }
                }
            }
            None => {
                let id = env.ids.v1("ii_");
                added.push(new_item(env, id, pi.fields, &customer.id, &currency, None)?);
            }
        }
    }

    let start = p.start_date.unwrap_or(env.now);
    let mut subscription_lines = Vec::with_capacity(p.subscription_items.len());
    for si in p.subscription_items {
        subscription_lines.push(subscription_line(env, si, &currency, &customer.id, start)?);
    }
    let lines = upcoming_lines(&added, &pending, subscription_lines);
    if lines.is_empty() {
        return Err(Error::NotFound {
            code: "invoice_upcoming_none",
            message: format!("No upcoming invoices for customer: {}", customer.id),
            param: None,
        });
    }
    let discounts = match p.discounts {
        Patch::Set(d) => resolve_discounts(env, d, &currency, &customer.id, None, None)?,
        Patch::Absent | Patch::Unset => Vec::new(),
    };
    let invoice = upcoming_invoice(UpcomingInvoice {
        id: invoice_id,
        customer,
        currency,
        discounts,
        now: env.now,
        livemode: env.livemode,
    });
    snapshot(Arc::new(invoice), lines, customer.balance)
}

impl Store {
    /// The customer's upcoming invoice, assembled without writing anything.
    ///
    /// # Errors
    /// `resource_missing` (customer, subscription, `invoice_items[i][invoiceitem]`, prices,
    /// coupons); 404 `invoice_upcoming_none` when there is nothing to invoice.
    pub fn preview_invoice(&self, acct: &AccountKey, p: PreviewParams) -> Result<InvoiceSnapshot> {
        let now = self.clock().now_seconds();
        let livemode = acct.livemode();
        self.read(acct, |s| {
            let ids = Ids::stable(p.customer.clone().unwrap_or_default());
            let env = Env {
                s,
                ids: &ids,
                now,
                livemode,
            };
            assemble_preview(&env, p)
        })
    }

    /// One page of the upcoming invoice's lines; ids are stable across calls with the same
    /// parameters, so cursors work.
    ///
    /// # Errors
    /// As [`Store::preview_invoice`], plus `resource_missing` for an unknown cursor.
    pub fn preview_lines(
        &self,
        acct: &AccountKey,
        p: PreviewParams,
        q: &ListQuery,
    ) -> Result<LinePage> {
        let snap = self.preview_invoice(acct, p)?;
        page_of(snap.lines, q)
    }
}
