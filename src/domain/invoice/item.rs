//! Invoice items and the changes they take: line kinds, the checked line amount, and how a
//! resolved [`ItemChange`] applies to an item or to a line without one (metadata merged or
//! replaced by Stripe's rule). Prices and coupons arrive resolved; nothing here looks them up.

use std::sync::Arc;

use crate::domain::catalog::{Metadata, Price};
use crate::domain::decimal::Decimal;
use crate::domain::patch::{MetadataUpdate, Patch};

use super::AmountOverflow;
use super::discount::Discount;
use super::line::LineItem;
use super::period::Period;

/// `type` of a legacy line item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Backed by an invoice item.
    InvoiceItem,
    /// Backed by a subscription item.
    Subscription,
}

impl LineKind {
    /// Stripe's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::InvoiceItem => "invoiceitem",
            LineKind::Subscription => "subscription",
        }
    }
}

/// `unit_amount × quantity`, checked; a fractional quantity's amount is rounded half away from
/// zero to a whole minor unit (`1.5 × 799 = 1198.5 → 1199`), as Stripe prices decimal quantities.
///
/// # Errors
/// [`AmountOverflow`] if the product does not fit in `i64`.
pub fn line_amount(unit_amount: i64, quantity: Decimal) -> Result<i64, AmountOverflow> {
    quantity.times(unit_amount).ok_or(AmountOverflow)
}

/// An invoice item (`ii_…`): a charge waiting for an invoice (pending, `invoice: None`) or
/// attached to one.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceItem {
    /// `ii_…`
    pub id: String,
    /// `cus_…`
    pub customer: String,
    /// Lowercase ISO currency.
    pub currency: String,
    /// Unix seconds of creation.
    pub date: i64,
    /// Free text.
    pub description: Option<String>,
    /// Whether invoice-level discounts apply to it.
    pub discountable: bool,
    /// Item-level discounts.
    pub discounts: Vec<Discount>,
    /// `in_…` it is attached to; `None` while pending.
    pub invoice: Option<String>,
    /// Live or test.
    pub livemode: bool,
    /// Key-value pairs.
    pub metadata: Metadata,
    /// Service period.
    pub period: Period,
    /// The price, embedded as Stripe shows it (a snapshot; synthesized for amount-only items).
    /// Shared with the lines rendered from the item, which only read it.
    pub price: Arc<Price>,
    /// Whether it is a proration (never, in this mock).
    pub proration: bool,
    /// Units (a decimal from `quantity_decimal`).
    pub quantity: Decimal,
    /// `sub_…`, if it belongs to a subscription.
    pub subscription: Option<String>,
    /// Amount per unit.
    pub unit_amount: i64,
    /// `unit_amount × quantity`, kept in step by [`InvoiceItem::apply`].
    pub amount: i64,
}

/// A resolved change to an invoice item or line (prices and coupons already looked up).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemChange {
    /// A new price; the unit amount becomes the price's.
    pub price: Option<Arc<Price>>,
    /// New quantity.
    pub quantity: Option<Decimal>,
    /// New description.
    pub description: Patch<String>,
    /// New discountable flag.
    pub discountable: Option<bool>,
    /// New item-level discounts (`Some(vec![])` removes them all).
    pub discounts: Option<Vec<Discount>>,
    /// Metadata update; merged or replaced depending on the line kind.
    pub metadata: Option<MetadataUpdate>,
    /// New period.
    pub period: Option<Period>,
}

/// The [`Changeable`] fields of an invoice item or a line, which name them alike.
macro_rules! changeable {
    ($v:expr) => {
        Changeable {
            price: &mut $v.price,
            unit_amount: &mut $v.unit_amount,
            quantity: &mut $v.quantity,
            amount: &mut $v.amount,
            description: &mut $v.description,
            discountable: &mut $v.discountable,
            discounts: &mut $v.discounts,
            metadata: &mut $v.metadata,
            period: &mut $v.period,
        }
    };
}

/// The fields an [`ItemChange`] touches, which invoice items and their lines both carry.
struct Changeable<'a> {
    price: &'a mut Arc<Price>,
    unit_amount: &'a mut i64,
    quantity: &'a mut Decimal,
    amount: &'a mut i64,
    description: &'a mut Option<String>,
    discountable: &'a mut bool,
    discounts: &'a mut Vec<Discount>,
    metadata: &'a mut Metadata,
    period: &'a mut Period,
}

impl ItemChange {
    /// Applies the change and recomputes the amount; metadata follows the rule of `kind`.
    /// Nothing changes on error.
    fn apply_to(self, kind: LineKind, t: Changeable<'_>) -> Result<(), AmountOverflow> {
        let unit_amount = self
            .price
            .as_ref()
            .map_or(*t.unit_amount, |p| p.unit_amount);
        let quantity = self.quantity.unwrap_or(*t.quantity);
        let amount = line_amount(unit_amount, quantity)?;
        if let Some(price) = self.price {
            *t.price = price;
        }
        *t.unit_amount = unit_amount;
        *t.quantity = quantity;
        *t.amount = amount;
        self.description.apply_to(t.description);
        if let Some(d) = self.discountable {
            *t.discountable = d;
        }
        if let Some(d) = self.discounts {
            *t.discounts = d;
        }
        if let Some(m) = self.metadata {
            update_line_metadata(kind, m, t.metadata);
        }
        if let Some(p) = self.period {
            *t.period = p;
        }
        Ok(())
    }
}

impl InvoiceItem {
    /// Whether the item waits for the customer's next invoice.
    pub fn is_pending(&self) -> bool {
        self.invoice.is_none()
    }

    /// Applies `change` and recomputes `amount`; metadata merges (the `invoiceitem` rule).
    /// Nothing changes on error.
    ///
    /// # Errors
    /// [`AmountOverflow`] if the new amount does not fit.
    pub fn apply(&mut self, change: ItemChange) -> Result<(), AmountOverflow> {
        change.apply_to(LineKind::InvoiceItem, changeable!(self))
    }

    /// The item as a line with id `line_id`.
    pub fn to_line(&self, line_id: String) -> LineItem {
        LineItem {
            id: line_id,
            kind: LineKind::InvoiceItem,
            amount: self.amount,
            currency: self.currency.clone(),
            description: self.description.clone(),
            discountable: self.discountable,
            discounts: self.discounts.clone(),
            invoice_item: Some(self.id.clone()),
            livemode: self.livemode,
            metadata: self.metadata.clone(),
            period: self.period,
            price: self.price.clone(),
            proration: self.proration,
            quantity: self.quantity,
            subscription: self.subscription.clone(),
            taxes: Vec::new(),
            unit_amount: self.unit_amount,
        }
    }
}

/// Applies a line's metadata update by Stripe's rule: merged into `invoiceitem` lines (an empty
/// value removes a key, clearing removes all), used as-is for `subscription` lines.
pub fn update_line_metadata(kind: LineKind, update: MetadataUpdate, target: &mut Metadata) {
    match kind {
        LineKind::InvoiceItem => update.merge_into(target),
        LineKind::Subscription => update.replace(target),
    }
}

impl LineItem {
    /// Applies `change` to a line that has no invoice item behind it (a `subscription` line):
    /// metadata is replaced, not merged. Nothing changes on error.
    ///
    /// # Errors
    /// [`AmountOverflow`] if the new amount does not fit.
    pub fn apply(&mut self, change: ItemChange) -> Result<(), AmountOverflow> {
        change.apply_to(self.kind, changeable!(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invoice::fixtures::{item, price};

    #[test]
    fn changing_quantity_recomputes_the_amount() {
        let mut it = item();
        it.apply(ItemChange {
            quantity: Some(Decimal::from_int(3)),
            ..ItemChange::default()
        })
        .expect("fits");
        assert_eq!(
            (it.unit_amount, it.quantity, it.amount),
            (199, Decimal::from_int(3), 597)
        );
        it.apply(ItemChange {
            quantity: Some(Decimal::parse("1.5").expect("decimal")),
            ..ItemChange::default()
        })
        .expect("fits");
        // 298.5 rounds half away from zero.
        assert_eq!(it.amount, 299);
        it.apply(ItemChange {
            price: Some(price(501).into()),
            ..ItemChange::default()
        })
        .expect("fits");
        // 751.5: the new unit amount times the kept decimal quantity.
        assert_eq!(it.amount, 752);
    }

    #[test]
    fn an_overflowing_change_leaves_the_item_untouched() {
        let mut it = item();
        let before = it.clone();
        let err = it.apply(ItemChange {
            quantity: Some(Decimal::from_int(i64::MAX)),
            description: Patch::Set("changed".into()),
            ..ItemChange::default()
        });
        assert_eq!(err, Err(AmountOverflow));
        assert_eq!(it, before);
    }

    #[test]
    fn invoice_item_line_metadata_merges() {
        let mut it = item();
        it.apply(ItemChange {
            metadata: Some(MetadataUpdate::Merge(vec![
                ("a".into(), None),
                ("c".into(), Some("3".into())),
            ])),
            ..ItemChange::default()
        })
        .expect("fits");
        assert_eq!(
            it.metadata,
            Metadata::from([("b".into(), "2".into()), ("c".into(), "3".into())])
        );
    }

    #[test]
    fn subscription_line_metadata_is_replaced() {
        let mut l = item().to_line("il_1".into());
        l.kind = LineKind::Subscription;
        l.invoice_item = None;
        l.apply(ItemChange {
            metadata: Some(MetadataUpdate::Merge(vec![("c".into(), Some("3".into()))])),
            ..ItemChange::default()
        })
        .expect("fits");
        assert_eq!(l.metadata, Metadata::from([("c".into(), "3".into())]));
        let mut m = Metadata::from([("x".into(), "y".into())]);
        update_line_metadata(LineKind::Subscription, MetadataUpdate::Clear, &mut m);
        assert!(m.is_empty());
    }
}
