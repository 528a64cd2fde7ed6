//! [`Store`] methods for invoices: create, retrieve, update, delete, list, and the status
//! changes (finalize, pay, void, mark uncollectible), each checked by the domain's transition
//! rules before anything is written.

use std::sync::Arc;

use crate::domain::catalog::Metadata;
use crate::domain::event::EventType;
use crate::domain::invoice::{
    Finalization, Invoice, InvoiceAction, InvoiceItem, InvoiceLine, LineGroup, LineSource, Totals,
    TransitionError, insert_line, transition,
};
use crate::domain::patch::Patch;
use crate::error::{Error, Result};
use crate::store::catalog::Deleted;
use crate::store::events::{Actor, EventObject, emit_item_change};
use crate::store::{AccountKey, ListPage, ListQuery, Store, list_page};

use super::params::{InvoiceFilter, InvoiceUpdate, NewInvoice};
use super::resolve::{Env, Ids, resolve_discounts};
use super::snapshot::{InvoiceSnapshot, materialize, materialize_owned};
use super::staging::{StagedItems, check_line_count, commit_invoice};
use super::{balance_of, refused};

fn check_collection(invoice: &Invoice) -> Result<()> {
    match invoice.collection_method {
        "send_invoice" if invoice.days_until_due.is_none() && invoice.due_date.is_none() => {
            Err(Error::ParameterMissing {
                param: "days_until_due".into(),
            })
        }
        "charge_automatically" if invoice.days_until_due.is_some() => Err(Error::param_invalid(
            "days_until_due",
            None,
            "Invalid days_until_due: it can only be set when collection_method is send_invoice.",
        )),
        "charge_automatically" if invoice.due_date.is_some() => Err(Error::param_invalid(
            "due_date",
            None,
            "Invalid due_date: it can only be set when collection_method is send_invoice.",
        )),
        _ => Ok(()),
    }
}

impl Store {
    /// Creates a draft invoice, attaching the customer's pending items (newest first) when asked.
    ///
    /// # Errors
    /// `resource_missing` for the customer or a coupon; 400 for inconsistent collection settings.
    pub fn create_invoice(&self, acct: &Actor, p: NewInvoice) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| {
            let ids = Ids::live(ctx.ids);
            let (snap, changes) = {
                let env = Env::new(s, &ids, ctx);
                let customer = s
                    .customers
                    .get(&p.customer)
                    .ok_or_else(|| Error::missing("customer", &p.customer, "customer"))?;
                let newest_pending = s
                    .invoice_items
                    .iter_newest_first()
                    .find(|i| i.customer == customer.id && i.is_pending());
                let currency = p
                    .currency
                    .clone()
                    .or_else(|| customer.currency.clone())
                    .or_else(|| newest_pending.map(|i| i.currency.clone()))
                    .unwrap_or_else(|| "usd".to_owned());
                let id =
                    crate::store::choose_id(&s.invoices, p.id, "Invoice", || ctx.ids.v1("in_"))?;
                let discounts =
                    resolve_discounts(&env, p.discounts, &currency, &customer.id, Some(&id), None)?;
                let mut metadata = Metadata::new();
                if let Some(m) = p.metadata {
                    m.merge_into(&mut metadata);
                }
                let mut invoice = Invoice {
                    auto_advance: p.auto_advance.unwrap_or(false),
                    collection_method: p.collection_method.unwrap_or("charge_automatically"),
                    days_until_due: p.days_until_due,
                    due_date: p.due_date,
                    description: p.description,
                    discounts,
                    footer: p.footer,
                    metadata,
                    statement_descriptor: p.statement_descriptor,
                    ..Invoice::draft(id.clone(), env.now, env.livemode, customer, currency)
                };
                check_collection(&invoice)?;
                let mut items = StagedItems::default();
                if p.include_pending {
                    let pending = s.invoice_items.iter_newest_first().filter(|i| {
                        i.customer == customer.id
                            && i.is_pending()
                            && i.currency == invoice.currency
                    });
                    for item in pending {
                        let item = Arc::new(InvoiceItem {
                            invoice: Some(id.clone()),
                            ..(**item).clone()
                        });
                        insert_line(
                            &mut invoice.lines,
                            InvoiceLine {
                                id: ctx.ids.v1("il_"),
                                group: LineGroup::Pending,
                                source: LineSource::Item {
                                    item: Arc::clone(&item),
                                    taxes: Vec::new(),
                                },
                            },
                        );
                        items.stage(item);
                    }
                    check_line_count(&invoice)?;
                }
                (materialize_owned(invoice, customer.balance)?, items)
            };
            commit_invoice(s, Arc::clone(&snap.invoice), changes);
            Ok(snap)
        })
    }

    /// Retrieves an invoice with its lines and totals.
    ///
    /// # Errors
    /// `resource_missing` if it does not exist.
    pub fn invoice(&self, acct: &AccountKey, id: &str) -> Result<InvoiceSnapshot> {
        self.read(acct, |s| {
            let inv = s
                .invoices
                .get(id)
                .ok_or_else(|| Error::missing("invoice", id, "id"))?;
            materialize(inv, balance_of(s, &inv.customer))
        })
    }

    /// Updates an invoice; monetary fields only on drafts.
    ///
    /// # Errors
    /// `resource_missing`; `invoice_not_editable` for monetary changes to a finalized invoice;
    /// 400 for inconsistent collection settings.
    pub fn update_invoice(
        &self,
        acct: &Actor,
        id: &str,
        p: InvoiceUpdate,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| {
            let ids = Ids::live(ctx.ids);
            let snap = {
                let env = Env::new(s, &ids, ctx);
                let mut inv = s
                    .invoices
                    .get(id)
                    .map(|inv| (**inv).clone())
                    .ok_or_else(|| Error::missing("invoice", id, "id"))?;
                let monetary = p.collection_method.is_some()
                    || p.days_until_due != Patch::Absent
                    || p.due_date != Patch::Absent
                    || p.discounts != Patch::Absent;
                if monetary {
                    inv.ensure_editable().map_err(refused)?;
                }
                if let Some(a) = p.auto_advance {
                    inv.auto_advance = a;
                }
                if let Some(c) = p.collection_method {
                    inv.collection_method = c;
                }
                p.days_until_due.apply_to(&mut inv.days_until_due);
                p.due_date.apply_to(&mut inv.due_date);
                p.description.apply_to(&mut inv.description);
                p.footer.apply_to(&mut inv.footer);
                p.statement_descriptor
                    .apply_to(&mut inv.statement_descriptor);
                if let Some(m) = p.metadata {
                    m.merge_into(&mut inv.metadata);
                }
                match p.discounts {
                    Patch::Absent => {}
                    Patch::Unset => inv.discounts.clear(),
                    Patch::Set(d) => {
                        inv.discounts = resolve_discounts(
                            &env,
                            d,
                            &inv.currency,
                            &inv.customer,
                            Some(&inv.id),
                            None,
                        )?;
                    }
                }
                if monetary {
                    check_collection(&inv)?;
                }
                let balance = balance_of(s, &inv.customer);
                materialize_owned(inv, balance)?
            };
            commit_invoice(s, Arc::clone(&snap.invoice), StagedItems::default());
            Ok(snap)
        })
    }

    /// Deletes a draft invoice; its invoice items become pending again.
    ///
    /// # Errors
    /// `resource_missing`; 400 if it is not a draft.
    pub fn delete_invoice(&self, acct: &Actor, id: &str) -> Result<Deleted> {
        self.write(acct, |s, _| {
            let inv = s
                .invoices
                .get(id)
                .ok_or_else(|| Error::missing("invoice", id, "id"))?;
            transition(inv.status, InvoiceAction::Delete).map_err(refused)?;
            let item_ids: Vec<String> = inv
                .lines
                .iter()
                .filter_map(|l| l.item_id().map(str::to_owned))
                .collect();
            let balance = balance_of(s, &inv.customer);
            if let Some(removed) = s.invoices.remove(id) {
                s.events.emit(
                    EventType::InvoiceDeleted,
                    EventObject::Invoice {
                        invoice: removed,
                        customer_balance: balance,
                    },
                    None,
                );
            }
            for item_id in item_ids {
                if let Some(item) = s.invoice_items.get_mut(&item_id) {
                    let before = Arc::clone(item);
                    Arc::make_mut(item).invoice = None;
                    emit_item_change(&mut s.events, Some(&before), Some(item));
                }
            }
            Ok(Deleted { id: id.to_owned() })
        })
    }

    /// Lists invoices, newest first.
    ///
    /// # Errors
    /// `resource_missing` for an unknown cursor.
    pub fn list_invoices(
        &self,
        acct: &AccountKey,
        q: &ListQuery,
        f: &InvoiceFilter,
    ) -> Result<ListPage<InvoiceSnapshot>> {
        self.read(acct, |s| {
            let page = list_page(&s.invoices, "invoice", q, |i| {
                f.customer.as_ref().is_none_or(|c| i.customer == *c)
                    && f.status.is_none_or(|st| i.status == st)
                    && f.collection_method.is_none_or(|m| i.collection_method == m)
            })?;
            let data = page
                .data
                .iter()
                .map(|inv| materialize(inv, balance_of(s, &inv.customer)))
                .collect::<Result<Vec<_>>>()?;
            Ok(ListPage {
                data,
                has_more: page.has_more,
            })
        })
    }

    /// Finalizes a draft: number `<prefix>-<NNNN>` from the customer's sequence, balance applied,
    /// straight to `paid` when nothing is due.
    ///
    /// # Errors
    /// `resource_missing` for the invoice or its (deleted) customer; 400 if it is not a draft.
    pub fn finalize_invoice(
        &self,
        acct: &Actor,
        id: &str,
        auto_advance: Option<bool>,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| {
            let inv = s
                .invoices
                .get(id)
                .ok_or_else(|| Error::missing("invoice", id, "id"))?;
            let customer = s
                .customers
                .get(&inv.customer)
                .ok_or_else(|| Error::missing("customer", &inv.customer, "customer"))?;
            let current = materialize(inv, customer.balance)?;
            let mut staged = (**inv).clone();
            if let Some(a) = auto_advance {
                staged.auto_advance = a;
            }
            staged
                .finalize(Finalization {
                    number: format!(
                        "{}-{:04}",
                        customer.invoice_prefix, customer.next_invoice_sequence
                    ),
                    at: ctx.unix(),
                    starting_balance: current.totals.starting_balance,
                    total: current.totals.total,
                    amount_due: current.totals.amount_due,
                })
                .map_err(refused)?;
            let customer_id = staged.customer.clone();
            let ending_balance = staged.ending_balance;
            let snap = materialize_owned(staged, customer.balance)?;
            commit_invoice(s, Arc::clone(&snap.invoice), StagedItems::default());
            if let Some(c) = s.customers.get_mut(&customer_id) {
                c.next_invoice_sequence = c.next_invoice_sequence.saturating_add(1);
                if let Some(b) = ending_balance {
                    c.balance = b;
                }
            }
            Ok(snap)
        })
    }

    /// Pays an open or uncollectible invoice (out of band, or as if the charge succeeded).
    ///
    /// # Errors
    /// `resource_missing`; 400 from any other status.
    pub fn pay_invoice(
        &self,
        acct: &Actor,
        id: &str,
        paid_out_of_band: bool,
    ) -> Result<InvoiceSnapshot> {
        self.change_status(acct, id, |inv, t, now| {
            inv.pay(now, t.amount_due, paid_out_of_band)
        })
    }

    /// Voids an open or uncollectible invoice.
    ///
    /// # Errors
    /// `resource_missing`; 400 from any other status.
    pub fn void_invoice(&self, acct: &Actor, id: &str) -> Result<InvoiceSnapshot> {
        self.change_status(acct, id, |inv, _, now| inv.void(now))
    }

    /// Marks an open invoice uncollectible.
    ///
    /// # Errors
    /// `resource_missing`; 400 from any other status.
    pub fn mark_invoice_uncollectible(&self, acct: &Actor, id: &str) -> Result<InvoiceSnapshot> {
        self.change_status(acct, id, |inv, _, now| inv.mark_uncollectible(now))
    }

    fn change_status(
        &self,
        acct: &Actor,
        id: &str,
        op: impl FnOnce(&mut Invoice, &Totals, i64) -> std::result::Result<(), TransitionError>,
    ) -> Result<InvoiceSnapshot> {
        self.write(acct, |s, ctx| {
            let inv = s
                .invoices
                .get(id)
                .ok_or_else(|| Error::missing("invoice", id, "id"))?;
            let balance = balance_of(s, &inv.customer);
            let current = materialize(inv, balance)?;
            let mut staged = (**inv).clone();
            op(&mut staged, &current.totals, ctx.unix()).map_err(refused)?;
            let snap = materialize_owned(staged, balance)?;
            commit_invoice(s, Arc::clone(&snap.invoice), StagedItems::default());
            Ok(snap)
        })
    }
}
