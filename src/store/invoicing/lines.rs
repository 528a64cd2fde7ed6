//! [`Store`] methods for the lines of a draft invoice: list, add, remove and update, each batch
//! all or nothing (staged on a copy of the invoice, stored only once its totals are computed).

use std::collections::HashSet;
use std::sync::Arc;

use crate::domain::invoice::{
    Invoice, InvoiceItem, InvoiceLine, LineGroup, LineSource, TaxAmount, insert_line,
};
use crate::domain::patch::{MetadataUpdate, Patch};
use crate::error::{Error, Result};
use crate::store::events::Actor;
use crate::store::{AccountKey, AccountState, Ctx, ListQuery, Store};

use super::params::{
    AddLine, ItemFields, LineBatch, RemoveBehavior, RemoveLine, TaxAmountInput, UpdateLine,
};
use super::resolve::{Env, Ids, new_item, resolve_change};
use super::snapshot::{InvoiceSnapshot, LinePage, PricedLine, materialize_owned, page_of};
use super::staging::{StagedItems, check_line_count, commit_invoice};
use super::{balance_of, overflow, refused, stored_invoice, sub};

/// The tax amounts `inputs` as a line keeps them, each naming the account's tax rate for its
/// `tax_rate_data` (created and staged when there is none yet).
fn line_taxes(
    s: &AccountState,
    ctx: &Ctx<'_>,
    items: &mut StagedItems,
    inputs: Vec<TaxAmountInput>,
) -> Vec<TaxAmount> {
    inputs
        .into_iter()
        .map(|t| items.tax_amount(s, ctx, t))
        .collect()
}

/// Applies a `tax_amounts` update to a line's taxes.
fn update_taxes(
    s: &AccountState,
    ctx: &Ctx<'_>,
    items: &mut StagedItems,
    update: Patch<Vec<TaxAmountInput>>,
    taxes: &mut Vec<TaxAmount>,
) {
    match update {
        Patch::Absent => {}
        Patch::Unset => taxes.clear(),
        Patch::Set(inputs) => *taxes = line_taxes(s, ctx, items, inputs),
    }
}

/// Applies one `update_lines` entry to the staged invoice and items.
fn apply_line_update(
    env: &Env<'_>,
    ctx: &Ctx<'_>,
    invoice: &mut Invoice,
    items: &mut StagedItems,
    mut upd: UpdateLine,
) -> Result<()> {
    let param = sub(&upd.fields.param, "id");
    let line = invoice
        .lines
        .iter_mut()
        .find(|l| l.id == upd.id)
        .ok_or_else(|| Error::missing("line_item", &upd.id, &param))?;
    // `tax_amounts` live on the line only, never on its invoice item.
    let tax_update = std::mem::take(&mut upd.fields.tax_amounts);
    match &mut line.source {
        LineSource::Item {
            item: stored,
            taxes,
        } => {
            let mut item = (**stored).clone();
            let change = resolve_change(
                env,
                upd.fields,
                &invoice.currency,
                &invoice.customer,
                Some(&item.id),
            )?;
            // Changes live on the invoice item too; metadata merges (`invoiceitem` lines).
            item.apply(change).map_err(|_| overflow())?;
            let item = Arc::new(item);
            *stored = Arc::clone(&item);
            items.stage(item);
            update_taxes(env.s, ctx, items, tax_update, taxes);
        }
        LineSource::Subscription(sub_line) => {
            let change =
                resolve_change(env, upd.fields, &invoice.currency, &invoice.customer, None)?;
            // No invoice item behind it; metadata is replaced (`subscription` lines).
            sub_line.apply(change).map_err(|_| overflow())?;
            update_taxes(env.s, ctx, items, tax_update, &mut sub_line.taxes);
        }
    }
    Ok(())
}

/// A line batch on a stored draft, all or nothing: `apply` edits a copy of the invoice and
/// stages item changes; then `invoice_metadata` merges, the totals are recomputed (which may
/// refuse the batch), and only then are the invoice and its items stored.
fn line_batch(
    s: &mut AccountState,
    id: &str,
    invoice_metadata: Option<MetadataUpdate>,
    apply: impl FnOnce(&AccountState, &mut Invoice, &mut StagedItems) -> Result<()>,
) -> Result<InvoiceSnapshot> {
    let (snap, changes) = {
        let state: &AccountState = s;
        let mut inv = stored_invoice(state, id, "id")?.clone();
        inv.ensure_editable().map_err(refused)?;
        let mut items = StagedItems::default();
        apply(state, &mut inv, &mut items)?;
        if let Some(m) = invoice_metadata {
            m.merge_into(&mut inv.metadata);
        }
        let balance = balance_of(state, &inv.customer);
        (materialize_owned(inv, balance)?, items)
    };
    commit_invoice(s, Arc::clone(&snap.invoice), changes);
    Ok(snap)
}

/// The body of `update_lines`, shared with the single-line update inside one write.
fn update_lines_in(
    s: &mut AccountState,
    ctx: &Ctx<'_>,
    id: &str,
    p: LineBatch<UpdateLine>,
) -> Result<InvoiceSnapshot> {
    let ids = Ids::live(ctx.ids);
    line_batch(s, id, p.invoice_metadata, |s, inv, items| {
        let env = Env::new(s, &ids, ctx);
        p.lines
            .into_iter()
            .try_for_each(|upd| apply_line_update(&env, ctx, inv, items, upd))
    })
}

impl Store {
    /// One page of an invoice's lines, in Stripe's line order.
    ///
    /// # Errors
    /// `resource_missing` for the invoice or an unknown cursor.
    pub fn invoice_lines(&self, acct: &AccountKey, id: &str, q: &ListQuery) -> Result<LinePage> {
        let snap = self.invoice(acct, id)?;
        page_of(snap.lines, q)
    }

    /// Adds lines to a draft: pending items of the same customer and currency, or new items.
    /// All-or-nothing.
    ///
    /// # Errors
    /// `resource_missing` (`lines[i][invoice_item]`, prices, coupons); `invoice_not_editable`;
    /// 400 for an item of another customer or currency, already attached, or listed twice.
    pub fn add_lines(
        &self,
        acct: &Actor,
        id: &str,
        p: LineBatch<AddLine>,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| {
            let ids = Ids::live(ctx.ids);
            line_batch(s, id, p.invoice_metadata, |s, inv, items| {
                let env = Env::new(s, &ids, ctx);
                let mut seen = HashSet::new();
                for line in p.lines {
                    let (item, tax_inputs) = match line {
                        AddLine::Existing {
                            invoice_item,
                            mut fields,
                        } => {
                            let tax_inputs = std::mem::take(&mut fields.tax_amounts);
                            let param = sub(&fields.param, "invoice_item");
                            let mut item = s
                                .invoice_items
                                .get(&invoice_item)
                                .map(|i| (**i).clone())
                                .ok_or_else(|| {
                                    Error::missing("invoiceitem", &invoice_item, &param)
                                })?;
                            let problem = if !seen.insert(invoice_item.clone()) {
                                Some(format!(
                                    "The invoice item {invoice_item} is listed more than once."
                                ))
                            } else if item.customer != inv.customer {
                                Some(format!(
                                    "The invoice item {invoice_item} belongs to customer {}, not to this invoice's customer {}.",
                                    item.customer, inv.customer
                                ))
                            } else if item.currency != inv.currency {
                                Some(format!(
                                    "The invoice item {invoice_item} is in `{}`, which does not match the invoice currency `{}`.",
                                    item.currency, inv.currency
                                ))
                            } else {
                                item.invoice.as_ref().map(|other| {
                                    format!(
                                        "The invoice item {invoice_item} is already attached to invoice {other}; only pending items can be added."
                                    )
                                })
                            };
                            if let Some(message) = problem {
                                return Err(Error::param_invalid(param, None, message));
                            }
                            let change = resolve_change(
                                &env,
                                fields,
                                &inv.currency,
                                &inv.customer,
                                Some(&item.id),
                            )?;
                            item.apply(change).map_err(|_| overflow())?;
                            item.invoice = Some(inv.id.clone());
                            (item, tax_inputs)
                        }
                        AddLine::New(mut fields) => {
                            let tax_inputs = std::mem::take(&mut fields.tax_amounts);
                            let item = new_item(
                                &env,
                                ctx.ids.v1("ii_"),
                                fields,
                                &inv.customer,
                                &inv.currency,
                                Some(&inv.id),
                            )?;
                            (item, tax_inputs)
                        }
                    };
                    let item = Arc::new(item);
                    let inputs = tax_inputs.into_option().unwrap_or_default();
                    let taxes = line_taxes(s, ctx, items, inputs);
                    insert_line(
                        &mut inv.lines,
                        InvoiceLine {
                            id: ctx.ids.v1("il_"),
                            group: LineGroup::Added,
                            source: LineSource::Item {
                                item: Arc::clone(&item),
                                taxes,
                            },
                        },
                    );
                    items.stage(item);
                }
                check_line_count(inv)
            })
        })
    }

    /// Removes lines from a draft: `delete` deletes the invoice item, `unassign` makes it pending
    /// again. All-or-nothing.
    ///
    /// # Errors
    /// `resource_missing` (`lines[i][id]`); `invoice_not_editable`; 400 for subscription lines or
    /// a line listed twice.
    pub fn remove_lines(
        &self,
        acct: &Actor,
        id: &str,
        p: LineBatch<RemoveLine>,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, _| {
            line_batch(s, id, p.invoice_metadata, |_, inv, items| {
                for rl in p.lines {
                    let Some(pos) = inv.lines.iter().position(|l| l.id == rl.id) else {
                        return Err(Error::missing("line_item", &rl.id, &rl.param));
                    };
                    let item = match &inv.lines[pos].source {
                        LineSource::Item { item, .. } => Arc::clone(item),
                        LineSource::Subscription(_) => {
                            return Err(Error::param_invalid(
                                rl.param,
                                None,
                                format!(
                                    "The line {} belongs to a subscription and can't be removed; change the subscription instead.",
                                    rl.id
                                ),
                            ));
                        }
                    };
                    inv.lines.remove(pos);
                    match rl.behavior {
                        RemoveBehavior::Delete => items.remove(&item.id),
                        RemoveBehavior::Unassign => items.stage(Arc::new(InvoiceItem {
                            invoice: None,
                            ..(*item).clone()
                        })),
                    }
                }
                Ok(())
            })
        })
    }

    /// Updates lines of a draft; `invoiceitem` lines change their invoice item. All-or-nothing.
    ///
    /// # Errors
    /// `resource_missing` (`lines[i][id]`, prices, coupons); `invoice_not_editable`; amount
    /// errors.
    pub fn update_lines(
        &self,
        acct: &Actor,
        id: &str,
        p: LineBatch<UpdateLine>,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| update_lines_in(s, ctx, id, p))
    }

    /// Updates one line of a draft (`POST /v1/invoices/:id/lines/:line_id`) and returns it.
    ///
    /// # Errors
    /// As [`Store::update_lines`], with `resource_missing` param `line_item_id` for an unknown
    /// line.
    pub fn update_invoice_line(
        &self,
        acct: &Actor,
        invoice_id: &str,
        line_id: &str,
        fields: ItemFields,
    ) -> Result<PricedLine> {
        self.write(acct, |s, ctx| {
            if stored_invoice(s, invoice_id, "id")?.line(line_id).is_none() {
                return Err(Error::missing("line_item", line_id, "line_item_id"));
            }
            let batch = LineBatch {
                lines: vec![UpdateLine {
                    id: line_id.to_owned(),
                    fields,
                }],
                invoice_metadata: None,
            };
            update_lines_in(s, ctx, invoice_id, batch)?
                .lines
                .into_iter()
                .find(|l| l.line.id() == line_id)
                .ok_or_else(|| Error::missing("line_item", line_id, "line_item_id"))
        })
    }
}
