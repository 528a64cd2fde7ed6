//! Upcoming invoices (previews): the lines and the invoice Stripe's upcoming-invoice endpoints
//! show, assembled from items, subscription lines and discounts the caller has already looked up
//! and resolved; the stable ids that keep preview cursors working; and how a subscription line
//! is described. Pure: no store, no locks, no HTTP types, no clock reads.

use crate::domain::catalog::{Customer, Recurring};

use super::discount::Discount;
use super::item::InvoiceItem;
use super::lifecycle::Invoice;
use super::line::{LineItem, ShownLine};

/// The `il_tmp_` id Stripe gives an item's line on a preview: the item id's suffix after `ii_`.
pub fn tmp_line_id(item_id: &str) -> String {
    let suffix = item_id.split_once('_').map_or(item_id, |(_, s)| s);
    format!("il_tmp_{suffix}")
}

/// A v1-shaped id (`prefix` + `1` + 23 base62 characters) derived from `seed` alone, so a preview
/// repeated with the same parameters shows the same ids and cursors keep working.
pub fn stable_id(prefix: &str, seed: &str) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    // FNV-1a over the seed, then a splitmix64 stream for the characters.
    let mut state = seed.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut out = String::with_capacity(prefix.len() + 24);
    out.push_str(prefix);
    out.push('1');
    let mut remaining: usize = 23;
    while remaining > 0 {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let mut bits = z ^ (z >> 31);
        for _ in 0..remaining.min(10) {
            out.push(char::from(ALPHABET[(bits % 62) as usize]));
            bits /= 62;
        }
        remaining = remaining.saturating_sub(10);
    }
    out
}

/// Currencies without a minor unit (Stripe's zero-decimal list).
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// `amount` minor units of `currency` as Stripe prints it: `$10.00`, `€9.50`, `¥500`, `12.00 CHF`.
pub fn format_money(amount: i64, currency: &str) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    let number = if ZERO_DECIMAL.contains(&currency) {
        abs.to_string()
    } else {
        format!("{}.{:02}", abs / 100, abs % 100)
    };
    match currency {
        "usd" => format!("{sign}${number}"),
        "eur" => format!("{sign}€{number}"),
        "gbp" => format!("{sign}£{number}"),
        "jpy" => format!("{sign}¥{number}"),
        other => format!("{sign}{number} {}", other.to_ascii_uppercase()),
    }
}

/// The description Stripe gives a subscription line: `1 × Gold (at $10.00 / month)`.
pub fn subscription_line_description(
    quantity: i64,
    product_name: &str,
    unit_amount: i64,
    currency: &str,
    recurring: &Recurring,
) -> String {
    let every = match recurring.interval_count {
        1 => recurring.interval.to_owned(),
        n => format!("every {n} {}s", recurring.interval),
    };
    format!(
        "{quantity} × {product_name} (at {} / {every})",
        format_money(unit_amount, currency)
    )
}

/// The lines of an upcoming invoice, in the order Stripe's upcoming-invoice endpoints show them:
/// preview-only additions (in request order), then the pending items (newest first, preview
/// changes already applied), each under its `il_tmp_` id; then the previewed subscription
/// lines. Empty when there is nothing to invoice.
pub fn upcoming_lines(
    added: &[InvoiceItem],
    pending: &[InvoiceItem],
    subscription_lines: Vec<LineItem>,
) -> Vec<ShownLine> {
    let mut lines: Vec<ShownLine> = added
        .iter()
        .chain(pending.iter())
        .map(|it| ShownLine::Own(it.to_line(tmp_line_id(&it.id))))
        .collect();
    lines.extend(subscription_lines.into_iter().map(ShownLine::Own));
    lines
}

/// What an upcoming invoice is built from, everything already looked up and resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct UpcomingInvoice<'a> {
    /// `upcoming_in_…`
    pub id: String,
    /// The customer it is for; its contact fields and balance are copied.
    pub customer: &'a Customer,
    /// The preview currency.
    pub currency: String,
    /// Invoice-level discounts, resolved against that currency.
    pub discounts: Vec<Discount>,
    /// Unix seconds of the preview: creation and period.
    pub now: i64,
    /// Live or test.
    pub livemode: bool,
}

/// The upcoming invoice itself (`billing_reason: upcoming`, a draft without stored lines): its
/// lines are shown from [`upcoming_lines`], not kept on it.
pub fn upcoming_invoice(u: UpcomingInvoice<'_>) -> Invoice {
    Invoice {
        billing_reason: "upcoming",
        discounts: u.discounts,
        ..Invoice::draft(u.id, u.now, u.livemode, u.customer, u.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Metadata;
    use crate::domain::invoice::fixtures::{item, percent};
    use crate::domain::invoice::item::LineKind;
    use crate::domain::invoice::lifecycle::InvoiceStatus;
    use crate::domain::invoice::totals::totals;

    #[test]
    fn tmp_line_ids_reuse_the_item_suffix() {
        assert_eq!(
            tmp_line_id("ii_1NtH5qBHO5VeT9SUzhbifVXt"),
            "il_tmp_1NtH5qBHO5VeT9SUzhbifVXt"
        );
    }

    #[test]
    fn stable_ids_depend_only_on_the_seed() {
        let a = stable_id("ii_", "cus_1/0");
        assert_eq!(a, stable_id("ii_", "cus_1/0"));
        assert_ne!(a, stable_id("ii_", "cus_1/1"));
        assert!(a.starts_with("ii_1"));
        assert_eq!(a.len(), 3 + 24);
        assert!(a[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn money_and_descriptions_read_like_stripes() {
        assert_eq!(format_money(1000, "usd"), "$10.00");
        assert_eq!(format_money(-5, "eur"), "-€0.05");
        assert_eq!(format_money(500, "jpy"), "¥500");
        assert_eq!(format_money(1200, "chf"), "12.00 CHF");
        let r = Recurring {
            interval: "month",
            interval_count: 3,
            usage_type: "licensed",
        };
        assert_eq!(
            subscription_line_description(2, "Gold", 1000, "usd", &r),
            "2 × Gold (at $10.00 / every 3 months)"
        );
    }

    fn customer() -> Customer {
        Customer {
            id: "cus_1".into(),
            created: 0,
            livemode: false,
            balance: -300,
            currency: Some("usd".into()),
            description: None,
            email: Some("jenny@example.com".into()),
            invoice_prefix: "ABC123".into(),
            metadata: Metadata::new(),
            name: Some("Jenny".into()),
            next_invoice_sequence: 1,
            phone: None,
            tax_exempt: "none",
        }
    }

    fn pending(id: &str, amount: i64) -> InvoiceItem {
        InvoiceItem {
            id: id.into(),
            amount,
            unit_amount: amount,
            ..item()
        }
    }

    /// The upcoming invoice of [`customer`] at `now`, in dollars, with a 10% discount.
    fn upcoming_ten_percent_off(now: i64) -> Invoice {
        upcoming_invoice(UpcomingInvoice {
            id: "upcoming_in_1".into(),
            customer: &customer(),
            currency: "usd".into(),
            discounts: vec![percent("di_1", 10.0)],
            now,
            livemode: false,
        })
    }

    #[test]
    fn upcoming_lines_show_additions_then_pending_items_then_subscription_lines() {
        let mut sub = item().to_line("il_tmp_sub".into());
        sub.kind = LineKind::Subscription;
        sub.invoice_item = None;
        let lines = upcoming_lines(
            &[pending("ii_new", 100)],
            &[pending("ii_p2", 200), pending("ii_p1", 300)],
            vec![sub],
        );
        let shown: Vec<(&str, LineKind, Option<&str>)> = lines
            .iter()
            .map(|l| {
                let f = l.fields();
                (f.id, f.kind, f.invoice_item)
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("il_tmp_new", LineKind::InvoiceItem, Some("ii_new")),
                ("il_tmp_p2", LineKind::InvoiceItem, Some("ii_p2")),
                ("il_tmp_p1", LineKind::InvoiceItem, Some("ii_p1")),
                ("il_tmp_sub", LineKind::Subscription, None),
            ]
        );
        assert!(lines.iter().all(|l| matches!(l, ShownLine::Own(_))));
        assert!(upcoming_lines(&[], &[], Vec::new()).is_empty());
    }

    #[test]
    fn the_upcoming_invoice_is_a_draft_copied_from_the_customer() {
        let inv = upcoming_ten_percent_off(1_700_000_000);
        assert_eq!(inv.id, "upcoming_in_1");
        assert_eq!(inv.status, InvoiceStatus::Draft);
        assert_eq!(
            (inv.billing_reason, inv.collection_method),
            ("upcoming", "charge_automatically")
        );
        assert_eq!(
            (inv.created, inv.period_start, inv.period_end),
            (1_700_000_000, 1_700_000_000, 1_700_000_000)
        );
        assert_eq!(inv.customer, "cus_1");
        assert_eq!(inv.customer_email.as_deref(), Some("jenny@example.com"));
        assert_eq!(inv.customer_name.as_deref(), Some("Jenny"));
        assert_eq!(inv.starting_balance, -300);
        assert_eq!(inv.discounts.len(), 1);
        assert!(inv.lines.is_empty() && inv.number.is_none() && !inv.auto_advance);
    }

    #[test]
    fn upcoming_totals_come_from_the_assembled_lines() {
        let lines = upcoming_lines(&[], &[pending("ii_a", 1000)], Vec::new());
        let inv = upcoming_ten_percent_off(0);
        let t = totals(
            &lines,
            &inv.discounts,
            inv.starting_balance,
            inv.amount_paid,
        )
        .expect("fits");
        assert_eq!((t.subtotal, t.total, t.amount_due), (1000, 900, 600));
    }
}
