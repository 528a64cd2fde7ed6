//! [`Store`] methods for invoice items: create (pending or on a draft), retrieve, update,
//! delete and list. An attached item's line is updated in the same write.

use std::sync::Arc;

use crate::domain::invoice::{InvoiceItem, InvoiceLine, LineGroup, LineSource, insert_line};
use crate::error::{Error, Result};
use crate::store::catalog::Deleted;
use crate::store::events::{Actor, emit_invoice_change, emit_item_change};
use crate::store::{AccountKey, ListPage, ListQuery, Store, list_page};

use super::params::{InvoiceItemFilter, ItemFields, NewInvoiceItem, PriceInput};
use super::resolve::{Env, Ids, currency_mismatch, new_item, price_input_currency, resolve_change};
use super::snapshot::materialize_owned;
use super::staging::{check_line_count, commit_item};
use super::{balance_of, overflow, refused, stored_invoice};

impl Store {
    /// Creates an invoice item, pending or attached to a draft invoice.
    ///
    /// # Errors
    /// `resource_missing` for the customer, invoice, price, product or a coupon;
    /// `invoice_not_editable` if the invoice is not a draft; 400 for a currency mismatch, an
    /// invoice of another customer, or a missing currency.
    pub fn create_invoice_item(&self, acct: &Actor, p: NewInvoiceItem) -> Result<Arc<InvoiceItem>> {
        self.write(acct, |s, ctx| {
            let ids = Ids::live(ctx.ids);
            let (item, invoice) = {
                let env = Env::new(s, &ids, ctx);
                let customer = s
                    .customers
                    .get(&p.customer)
                    .ok_or_else(|| Error::missing("customer", &p.customer, "customer"))?;
                if let Some(sub_id) = &p.subscription {
                    return Err(Error::missing("subscription", sub_id, "subscription"));
                }
                if let Some(PriceInput::Price { id, param }) = &p.fields.price {
                    // Before the currency is worked out from it.
                    if !s.prices.contains(id) {
                        return Err(Error::missing("price", id, param));
                    }
                }
                let invoice = match &p.invoice {
                    Some(id) => {
                        let inv = stored_invoice(s, id, "invoice")?;
                        inv.ensure_editable().map_err(refused)?;
                        if inv.customer != customer.id {
                            return Err(Error::param_invalid(
                                "invoice",
                                None,
                                format!(
                                    "The invoice {id} belongs to customer {}, not to {}.",
                                    inv.customer, customer.id
                                ),
                            ));
                        }
                        Some(inv)
                    }
                    None => None,
                };
                let currency = p
                    .currency
                    .clone()
                    .or_else(|| invoice.map(|i| i.currency.clone()))
                    .or_else(|| {
                        p.fields
                            .price
                            .as_ref()
                            .and_then(|pi| price_input_currency(&env, pi))
                    })
                    .or_else(|| customer.currency.clone())
                    .ok_or_else(|| Error::ParameterMissing {
                        param: "currency".into(),
                    })?;
                if let Some(inv) = invoice {
                    if inv.currency != currency {
                        return Err(currency_mismatch(
                            "currency".into(),
                            "invoice item",
                            &currency,
                            &inv.currency,
                        ));
                    }
                }
                let id = crate::store::choose_id(&s.invoice_items, p.id, "Invoice item", || {
                    ctx.ids.v1("ii_")
                })?;
                let item = Arc::new(new_item(
                    &env,
                    id,
                    p.fields,
                    &customer.id,
                    &currency,
                    p.invoice.as_deref(),
                )?);
                let invoice = match invoice {
                    Some(inv) => {
                        let mut inv = inv.clone();
                        insert_line(
                            &mut inv.lines,
                            InvoiceLine {
                                id: ctx.ids.v1("il_"),
                                group: LineGroup::Added,
                                source: LineSource::Item {
                                    item: Arc::clone(&item),
                                    taxes: Vec::new(),
                                },
                            },
                        );
                        check_line_count(&inv)?;
                        Some(materialize_owned(inv, customer.balance)?.invoice)
                    }
                    None => None,
                };
                (item, invoice)
            };
            commit_item(s, Arc::clone(&item), invoice);
            Ok(item)
        })
    }

    /// Retrieves an invoice item.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn invoice_item(&self, acct: &AccountKey, id: &str) -> Result<Arc<InvoiceItem>> {
        self.read(acct, |s| {
            s.invoice_items
                .get(id)
                .cloned()
                .ok_or_else(|| Error::missing("invoiceitem", id, "id"))
        })
    }

    /// Updates an invoice item (and so its line, if it is on a draft).
    ///
    /// # Errors
    /// `resource_missing`; `invoice_not_editable` if its invoice is not a draft; price, coupon
    /// and amount errors as for creation.
    pub fn update_invoice_item(
        &self,
        acct: &Actor,
        id: &str,
        fields: ItemFields,
    ) -> Result<Arc<InvoiceItem>> {
        self.write(acct, |s, ctx| {
            let ids = Ids::live(ctx.ids);
            let (item, invoice) = {
                let env = Env::new(s, &ids, ctx);
                let mut item = s
                    .invoice_items
                    .get(id)
                    .map(|i| (**i).clone())
                    .ok_or_else(|| Error::missing("invoiceitem", id, "id"))?;
                let invoice = match &item.invoice {
                    Some(inv_id) => {
                        let inv = stored_invoice(s, inv_id, "invoice")?;
                        inv.ensure_editable().map_err(refused)?;
                        Some(inv)
                    }
                    None => None,
                };
                let change =
                    resolve_change(&env, fields, &item.currency, &item.customer, Some(&item.id))?;
                item.apply(change).map_err(|_| overflow())?;
                let item = Arc::new(item);
                // Its line shows the new value: the invoice is staged with it, and its totals
                // checked.
                let invoice = match invoice {
                    Some(inv) => {
                        let mut inv = inv.clone();
                        for line in &mut inv.lines {
                            if let LineSource::Item { item: on_line, .. } = &mut line.source {
                                if on_line.id == item.id {
                                    *on_line = Arc::clone(&item);
                                }
                            }
                        }
                        let balance = balance_of(s, &inv.customer);
                        Some(materialize_owned(inv, balance)?.invoice)
                    }
                    None => None,
                };
                (item, invoice)
            };
            commit_item(s, Arc::clone(&item), invoice);
            Ok(item)
        })
    }

    /// Deletes an invoice item; an attached item's line leaves its draft invoice.
    ///
    /// # Errors
    /// `resource_missing`; `invoice_not_editable` if it is on a finalized invoice.
    pub fn delete_invoice_item(&self, acct: &Actor, id: &str) -> Result<Deleted> {
        self.write(acct, |s, _| {
            let item = s
                .invoice_items
                .get(id)
                .ok_or_else(|| Error::missing("invoiceitem", id, "id"))?;
            let item = Arc::clone(item);
            if let Some(inv_id) = item.invoice.clone() {
                let inv = stored_invoice(s, &inv_id, "invoice")?;
                inv.ensure_editable().map_err(refused)?;
                let balance = balance_of(s, &inv.customer);
                if let Some(inv) = s.invoices.get_mut(&inv_id) {
                    let before = Arc::clone(inv);
                    Arc::make_mut(inv).lines.retain(|l| l.item_id() != Some(id));
                    emit_item_change(&mut s.events, Some(&item), None);
                    let after = Arc::clone(inv);
                    emit_invoice_change(&mut s.events, Some(&before), &after, balance);
                }
            } else {
                emit_item_change(&mut s.events, Some(&item), None);
            }
            s.invoice_items.remove(id);
            Ok(Deleted { id: id.to_owned() })
        })
    }

    /// Lists invoice items, newest first.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_invoice_items(
        &self,
        acct: &AccountKey,
        q: &ListQuery,
        f: &InvoiceItemFilter,
    ) -> Result<ListPage<Arc<InvoiceItem>>> {
        self.read(acct, |s| {
            list_page(&s.invoice_items, "invoiceitem", q, |i| {
                f.customer.as_ref().is_none_or(|c| i.customer == *c)
                    && f.invoice
                        .as_ref()
                        .is_none_or(|inv| i.invoice.as_ref() == Some(inv))
                    && f.pending.is_none_or(|pending| i.is_pending() == pending)
            })
        })
    }
}
