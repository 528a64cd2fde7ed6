//! All-or-nothing writes: the invoice-item changes and new tax rates a call stages, the
//! line-count limit checked before anything is written, and the one place a staged invoice and
//! its items are stored together (so stored items and the invoice's lines share their values).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::domain::invoice::{
    Invoice, InvoiceItem, LineSource, MAX_LINES_PER_INVOICE, TaxAmount, TaxRate, find_rate,
};
use crate::error::{Error, Result};
use crate::store::events::{EventLog, emit_invoice_change, emit_item_change};
use crate::store::{AccountState, Ctx};

use super::params::TaxAmountInput;

/// The invoice-item changes of a mutating call, written back only once the whole call has
/// succeeded. An attached item's new value is staged here and put on its line of the staged
/// invoice, so that the stored item and the stored line share one value.
#[derive(Default)]
pub(super) struct StagedItems {
    changed: HashMap<String, Arc<InvoiceItem>>,
    /// First-staged order, so that items created by one call are stored in request order.
    order: Vec<String>,
    removed: HashSet<String>,
    /// Tax rates the call's `tax_amounts` created, in creation order.
    tax_rates: Vec<Arc<TaxRate>>,
}

impl StagedItems {
    pub(super) fn stage(&mut self, item: Arc<InvoiceItem>) {
        self.removed.remove(&item.id);
        if !self.changed.contains_key(&item.id) {
            self.order.push(item.id.clone());
        }
        self.changed.insert(item.id.clone(), item);
    }

    pub(super) fn remove(&mut self, id: &str) {
        self.changed.remove(id);
        self.removed.insert(id.to_owned());
    }

    /// `input` as a line's tax amount, naming the account's tax rate made from its
    /// `tax_rate_data`, or a new one staged for it: identical `tax_rate_data` reuses a rate, as
    /// on Stripe.
    pub(super) fn tax_amount(
        &mut self,
        s: &AccountState,
        ctx: &Ctx<'_>,
        input: TaxAmountInput,
    ) -> TaxAmount {
        let TaxAmountInput {
            amount,
            rate: data,
            taxability_reason,
            taxable_amount,
        } = input;
        let stored = s.tax_rates.iter_newest_first().map(|r| &**r);
        let staged = self.tax_rates.iter().map(|r| &**r);
        if let Some(rate) = find_rate(stored.chain(staged), &data) {
            return TaxAmount::new(rate, amount, taxable_amount, taxability_reason);
        }
        let rate = TaxRate {
            id: ctx.ids.v1("txr_"),
            created: ctx.unix(),
            livemode: ctx.livemode,
            data,
        };
        let tax = TaxAmount::new(&rate, amount, taxable_amount, taxability_reason);
        self.tax_rates.push(Arc::new(rate));
        tax
    }

    /// Writes the staged changes; returns the events of the items' changes, for the caller to
    /// record in the order Stripe emits them.
    pub(super) fn commit(mut self, s: &mut AccountState) -> EventLog {
        for rate in self.tax_rates.drain(..) {
            let id = rate.id.clone();
            s.tax_rates.insert(&id, rate);
        }
        let mut log = EventLog::default();
        let events = &mut log;
        let items = &mut s.invoice_items;
        for id in &self.removed {
            let removed = items.remove(id);
            emit_item_change(events, removed.as_ref(), None);
        }
        for id in self.order {
            if let Some(item) = self.changed.remove(&id) {
                match items.get_mut(&id) {
                    // Updated in place: keeps its position in newest-first lists.
                    Some(slot) => {
                        emit_item_change(events, Some(slot), Some(&item));
                        *slot = item;
                    }
                    None => {
                        emit_item_change(events, None, Some(&item));
                        items.insert(&id, item);
                    }
                }
            }
        }
        log
    }
}

pub(super) fn check_line_count(invoice: &Invoice) -> Result<()> {
    if invoice.lines.len() > MAX_LINES_PER_INVOICE {
        return Err(Error::param_invalid(
            "lines",
            None,
            format!("An invoice can have at most {MAX_LINES_PER_INVOICE} line items."),
        ));
    }
    Ok(())
}

pub(super) fn commit_invoice(s: &mut AccountState, invoice: Arc<Invoice>, items: StagedItems) {
    let before = s.invoices.get(&invoice.id).cloned();
    let balance = super::balance_of(s, &invoice.customer);
    // A new invoice's event comes before those of the items it takes; a changed invoice's
    // after those of its items.
    let mut item_events = items.commit(s);
    if before.is_some() {
        s.events.absorb(&mut item_events);
    }
    emit_invoice_change(&mut s.events, before.as_ref(), &invoice, balance);
    s.events.absorb(&mut item_events);
    // The stored items and the invoice's lines share their values.
    debug_assert!(invoice.lines.iter().all(|l| {
        match &l.source {
            LineSource::Item { item, .. } => s
                .invoice_items
                .get(&item.id)
                .is_some_and(|stored| Arc::ptr_eq(stored, item)),
            LineSource::Subscription(_) => true,
        }
    }));
    match s.invoices.get_mut(&invoice.id) {
        Some(slot) => *slot = invoice,
        None => {
            let id = invoice.id.clone();
            s.invoices.insert(&id, invoice);
        }
    }
}

/// Stores one invoice item, with the staged invoice whose line now shows it, if it is attached.
pub(super) fn commit_item(
    s: &mut AccountState,
    item: Arc<InvoiceItem>,
    invoice: Option<Arc<Invoice>>,
) {
    let mut changes = StagedItems::default();
    changes.stage(item);
    match invoice {
        Some(inv) => commit_invoice(s, inv, changes),
        None => {
            let mut item_events = changes.commit(s);
            s.events.absorb(&mut item_events);
        }
    }
}
