//! The parameter types the invoice endpoints share: the fields an invoice item shares with
//! `add_lines` / `update_lines` lines and preview `invoice_items[]` (price source, quantity,
//! description, discounts, metadata, period, tax rates), `discounts[]`, `price_data`,
//! `currency`, and the refusal of parameters the mock does not model. The tax parameters are
//! in [`super::tax_params`]. Decoding and checking only: no store calls, no responses.
//!
//! Every conversion takes `at`, the path of the object its parameters came from (`""` at the
//! top level, `lines[0]` for a line, `invoices[0]` for a fixture), so the errors and the paths
//! the store reports name the parameter as it was sent.

use std::fmt;

use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::domain::catalog::Recurring;
use crate::domain::decimal::Decimal;
use crate::domain::invoice::Period;
use crate::domain::patch::Patch;
use crate::error::{Error, Result};
pub use crate::http::de::Currency;
use crate::http::de::{self, Bounded, Items, Metadata, Mode, refuse};
use crate::http::v1::params::{Interval, ProductData, TaxBehavior, UsageType};
use crate::store::invoicing::{
    DiscountInput, ItemFields, PriceDataInput, PriceInput, ProductInput,
};
use crate::version::{ApiVersion, dates};

use super::tax_params::{
    QuantityDecimal, TaxAmounts, TaxRates, check_tax_exclusive, tax_amount_inputs, tax_rate_inputs,
};

/// Most discounts Stripe accepts on one object.
const MAX_DISCOUNTS: usize = 20;

/// The path of `key` in the object at `at`.
pub fn path(at: &str, key: &str) -> String {
    de::child_path(Mode::V1, at, key)
}

/// The path of entry `i` of the array at `at`.
pub fn entry(at: &str, i: usize) -> String {
    format!("{at}[{i}]")
}

/// An optional parameter that cannot be unset: not sent is `None`, `""` is refused as
/// `parameter_invalid_empty`. Use as `#[serde(default)] field: Given<T>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given<T>(pub Option<T>);

impl<T> Default for Given<T> {
    fn default() -> Self {
        Given(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Given<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|v| Given(Some(v)))
    }
}

/// A Stripe parameter the mock does not model (subscriptions, schedules, Connect, promotion
/// codes): sent with a value it is refused with a message saying so, rather than called
/// unknown; `""` or an empty array is accepted. Use as `#[serde(default)]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unsupported;

impl<'de> Deserialize<'de> for Unsupported {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UnsupportedVisitor)
    }
}

struct UnsupportedVisitor;

impl UnsupportedVisitor {
    fn refused<E: serde::de::Error>() -> E {
        refuse(
            None,
            None,
            "The parameter {path} is not supported by this mock (no subscription, schedule or Connect models).",
        )
    }
}

impl<'de> Visitor<'de> for UnsupportedVisitor {
    type Value = Unsupported;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no value")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Unsupported, E> {
        Ok(Unsupported)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Unsupported, E> {
        if v.is_empty() {
            Ok(Unsupported)
        } else {
            Err(Self::refused())
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unsupported, A::Error> {
        match seq.next_element::<IgnoredAny>()? {
            None => Ok(Unsupported),
            Some(_) => Err(Self::refused()),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Unsupported, A::Error> {
        Err(Self::refused())
    }
}

/// `recurring[…]` of a price.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecurringParams {
    interval: Option<Interval>,
    interval_count: Option<Bounded<1, 365>>,
    usage_type: Option<UsageType>,
}

impl RecurringParams {
    /// The recurrence; `at` is the path of `recurring`.
    ///
    /// # Errors
    /// No `interval` (`""` counts as not sent).
    pub fn recurring(self, at: &str) -> Result<Recurring> {
        let interval = self.interval.ok_or_else(|| Error::ParameterMissing {
            param: path(at, "interval"),
        })?;
        Ok(Recurring {
            interval: interval.into(),
            interval_count: self.interval_count.map_or(1, |Bounded(n)| n),
            usage_type: self.usage_type.map_or("licensed", Into::into),
        })
    }
}

/// What a `price_data` does with `recurring`: a subscription item's reads it
/// (`Option<RecurringParams>`), an invoice line's refuses it ([`NotRecurring`]).
pub trait RecurringSlot: Default {
    /// The recurrence; `at` is the path of the `price_data`.
    ///
    /// # Errors
    /// An invalid or refused `recurring`.
    fn recurring(self, at: &str) -> Result<Option<Recurring>>;
}

impl RecurringSlot for Option<RecurringParams> {
    fn recurring(self, at: &str) -> Result<Option<Recurring>> {
        self.map(|r| r.recurring(&path(at, "recurring")))
            .transpose()
    }
}

/// The `recurring` slot of a one-time price: whatever was sent there is `parameter_unknown`, as
/// for any parameter the object does not have.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotRecurring(bool);

impl<'de> Deserialize<'de> for NotRecurring {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_ignored_any(IgnoredAny)?;
        Ok(NotRecurring(true))
    }
}

impl RecurringSlot for NotRecurring {
    fn recurring(self, at: &str) -> Result<Option<Recurring>> {
        match self.0 {
            true => Err(Error::ParameterUnknown {
                param: path(at, "recurring"),
            }),
            false => Ok(None),
        }
    }
}

/// `price_data[…]`: an inline price; `R` is its `recurring` slot.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceDataParams<R> {
    currency: Currency,
    product: Option<String>,
    product_data: Option<ProductData>,
    unit_amount: Option<i64>,
    unit_amount_decimal: Option<String>,
    tax_behavior: Option<TaxBehavior>,
    #[serde(default)]
    recurring: R,
}

impl<R: RecurringSlot> PriceDataParams<R> {
    /// The inline price; `at` is the path of `price_data`.
    ///
    /// # Errors
    /// Neither or both of `product` and `product_data`; a missing, negative or fractional
    /// unit amount; a refused `recurring`.
    pub fn input(self, at: &str) -> Result<PriceDataInput> {
        let product = match (self.product, self.product_data) {
            (Some(id), None) => ProductInput::Existing(id),
            (None, Some(data)) => ProductInput::Inline { name: data.name },
            (Some(_), Some(_)) => {
                return Err(Error::exclusive(
                    "product, product_data",
                    path(at, "product"),
                ));
            }
            (None, None) => {
                return Err(Error::ParameterMissing {
                    param: path(at, "product"),
                });
            }
        };
        let unit_amount = unit_amount(self.unit_amount, self.unit_amount_decimal, at)?;
        let recurring = self.recurring.recurring(at)?;
        Ok(PriceDataInput {
            param: at.to_owned(),
            currency: self.currency.0,
            product,
            unit_amount,
            tax_behavior: self.tax_behavior.map(Into::into),
            recurring,
        })
    }
}

/// `unit_amount` or `unit_amount_decimal` (a whole number) of the object at `at`, as a
/// non-negative amount.
fn unit_amount(unit: Option<i64>, decimal: Option<String>, at: &str) -> Result<i64> {
    let unit_path = path(at, "unit_amount");
    let amount = match (unit, decimal) {
        (Some(_), Some(_)) => {
            return Err(Error::exclusive("unit_amount, unit_amount_decimal", unit_path));
        }
        (Some(a), None) => Some(a),
        (None, Some(d)) => Some(d.parse::<i64>().map_err(|_| {
            Error::param_invalid(
                path(at, "unit_amount_decimal"),
                None,
                format!(
                    "Invalid unit_amount_decimal: {d}. Fractional minor units are not supported by this mock."
                ),
            )
        })?),
        (None, None) => None,
    };
    match amount {
        None => Err(Error::ParameterMissing { param: unit_path }),
        Some(a) if a < 0 => Err(Error::param_invalid(
            unit_path,
            None,
            "Invalid unit_amount: must be greater than or equal to 0.",
        )),
        Some(a) => Ok(a),
    }
}

/// `discounts[N][…]`: a coupon (`discount` and `promotion_code` are not modelled).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscountParams {
    #[serde(default, rename = "discount")]
    _discount: Unsupported,
    #[serde(default, rename = "promotion_code")]
    _promotion_code: Unsupported,
    coupon: String,
}

/// A `discounts` array.
pub type Discounts = Items<DiscountParams, MAX_DISCOUNTS>;

/// The discounts of the object at `at`.
pub fn discount_inputs(discounts: Discounts, at: &str) -> Vec<DiscountInput> {
    let array = path(at, "discounts");
    discounts
        .0
        .into_iter()
        .enumerate()
        .map(|(i, d)| DiscountInput {
            coupon: d.coupon,
            param: path(&entry(&array, i), "coupon"),
        })
        .collect()
}

/// A `discounts` update of the object at `at` (`discounts=` clears them).
pub fn discounts_patch(discounts: Patch<Discounts>, at: &str) -> Patch<Vec<DiscountInput>> {
    match discounts {
        Patch::Absent => Patch::Absent,
        Patch::Unset => Patch::Unset,
        Patch::Set(d) => Patch::Set(discount_inputs(d, at)),
    }
}

/// `period[start]` and `period[end]`, the end at or after the start.
#[derive(Debug, Clone, Copy)]
pub struct PeriodParam(pub Period);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodBounds {
    start: i64,
    end: i64,
}

impl<'de> Deserialize<'de> for PeriodParam {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let PeriodBounds { start, end } = PeriodBounds::deserialize(deserializer)?;
        let period = Period { start, end };
        if !period.is_valid() {
            return Err(refuse(
                None,
                Some("end"),
                "Invalid period: end must be at or after start.",
            ));
        }
        Ok(PeriodParam(period))
    }
}

/// A `quantity`: zero or more.
#[derive(Debug, Clone, Copy)]
pub struct Quantity(pub i64);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let q = i64::deserialize(deserializer)?;
        if q < 0 {
            return Err(refuse(
                Some("parameter_invalid_integer"),
                None,
                "Invalid quantity: must be greater than or equal to 0.",
            ));
        }
        Ok(Quantity(q))
    }
}

/// `pricing[price]`: from 2025-03-31.basil, what `price` was before.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    price: Option<String>,
}

/// Declares a parameter struct made of its own fields, read first, then the fields an invoice
/// item shares with lines and preview items; `split` returns the two apart.
macro_rules! with_item_fields {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* $field: $ty,)*
            amount: Option<i64>,
            #[serde(default)]
            unit_amount: Patch<i64>,
            #[serde(default)]
            unit_amount_decimal: Patch<String>,
            price: Option<String>,
            pricing: Option<Pricing>,
            price_data: Option<PriceDataParams<NotRecurring>>,
            quantity: Option<Quantity>,
            #[serde(default)]
            quantity_decimal: Given<QuantityDecimal>,
            #[serde(default)]
            description: Patch<String>,
            discountable: Option<bool>,
            #[serde(default)]
            discounts: Patch<Discounts>,
            #[serde(default)]
            metadata: Metadata,
            period: Option<PeriodParam>,
            #[serde(default)]
            tax_rates: TaxRates,
            // Accepted and without effect: no tax is calculated.
            #[serde(rename = "tax_behavior")]
            _tax_behavior: Option<TaxBehavior>,
            #[serde(rename = "tax_code")]
            _tax_code: Option<String>,
        }

        impl $name {
            /// This struct's own fields, and the shared ones.
            pub fn split(self) -> (($($ty,)*), ItemParams) {
                let $name {
                    $($field,)* amount, unit_amount, unit_amount_decimal, price, pricing,
                    price_data, quantity, quantity_decimal, description, discountable, discounts,
                    metadata, period, tax_rates, _tax_behavior, _tax_code,
                } = self;
                let shared = ItemParams {
                    amount, unit_amount, unit_amount_decimal, price, pricing, price_data,
                    quantity, quantity_decimal, description, discountable, discounts, metadata,
                    period, tax_rates, _tax_behavior, _tax_code,
                };
                (($($field,)*), shared)
            }
        }
    };
}

with_item_fields! {
    /// The fields an invoice item shares with lines and preview items; alone, the parameters
    /// of `POST /v1/invoiceitems/{id}`.
    pub struct ItemParams {}
}

with_item_fields! {
    /// Parameters of `POST /v1/invoices/{id}/lines/{line_item_id}`: an item's, and the line's
    /// own `tax_amounts`.
    pub struct LineParams {
        #[serde(default)]
        tax_amounts: TaxAmounts,
    }
}

with_item_fields! {
    /// Parameters of `POST /v1/invoiceitems` (also read from fixtures).
    pub struct CreateItemParams {
        customer: String,
        #[serde(default)]
        currency: Given<Currency>,
        invoice: Option<String>,
        subscription: Option<String>,
    }
}

with_item_fields! {
    /// An entry of `add_lines`: a new item, or `invoice_item` to attach a pending one.
    pub struct AddLineParams {
        invoice_item: Option<String>,
        #[serde(default)]
        tax_amounts: TaxAmounts,
    }
}

with_item_fields! {
    /// An entry of `update_lines`.
    pub struct UpdateLineParams {
        id: String,
        #[serde(default)]
        tax_amounts: TaxAmounts,
    }
}

with_item_fields! {
    /// An entry of a preview's `invoice_items`.
    pub struct PreviewItemParams {
        invoiceitem: Option<String>,
        #[serde(default)]
        currency: Given<Currency>,
    }
}

impl ItemParams {
    /// The fields of the object at `at`, sent at `version` (`None`: a fixture, which may use
    /// either spelling of the price and `quantity_decimal`).
    ///
    /// # Errors
    /// More than one price source, an invalid inline price or unit amount, `quantity` with
    /// `amount`, `quantity` with `quantity_decimal`; `price` from 2025-03-31.basil on, `pricing`
    /// before it, `quantity_decimal` before 2026-03-25.dahlia (unknown parameters there, as on
    /// Stripe).
    pub fn fields(self, at: &str, version: Option<ApiVersion>) -> Result<ItemFields> {
        self.read(at, version, version)
    }

    /// The fields of a preview's `invoice_items[N]` at `at`: the price spelled either way at
    /// every version, `quantity_decimal` from 2026-03-25.dahlia on.
    ///
    /// # Errors
    /// As [`ItemParams::fields`].
    pub fn preview_fields(self, at: &str, version: ApiVersion) -> Result<ItemFields> {
        self.read(at, None, Some(version))
    }

    /// The fields of a line at `at`, with the line's own `tax_amounts`.
    ///
    /// # Errors
    /// As [`ItemParams::fields`]; `tax_amounts` together with `tax_rates`.
    pub fn line_fields(
        self,
        at: &str,
        version: Option<ApiVersion>,
        tax_amounts: TaxAmounts,
    ) -> Result<ItemFields> {
        let mut fields = self.fields(at, version)?;
        let tax_amounts = tax_amount_inputs(tax_amounts);
        check_tax_exclusive(&tax_amounts, &fields.tax_rates, at)?;
        fields.tax_amounts = tax_amounts;
        Ok(fields)
    }

    /// [`ItemParams::fields`], the price's spelling checked at `prices` and `quantity_decimal`
    /// at `version`.
    fn read(
        self,
        at: &str,
        prices: Option<ApiVersion>,
        version: Option<ApiVersion>,
    ) -> Result<ItemFields> {
        if let Some(v) = prices {
            let basil = v.since(dates::BASIL);
            if basil && self.price.is_some() {
                return Err(Error::ParameterUnknown {
                    param: path(at, "price"),
                });
            }
            if !basil && self.pricing.is_some() {
                return Err(Error::ParameterUnknown {
                    param: path(at, "pricing"),
                });
            }
        }
        if version.is_some_and(|v| !v.since(dates::DAHLIA)) && self.quantity_decimal.0.is_some() {
            return Err(Error::ParameterUnknown {
                param: path(at, "quantity_decimal"),
            });
        }
        let mut found: Vec<(String, PriceInput)> = Vec::new();
        if let Some(a) = self.amount {
            found.push((path(at, "amount"), PriceInput::Amount(a)));
        }
        if self.unit_amount != Patch::Absent || self.unit_amount_decimal != Patch::Absent {
            let a = unit_amount(
                self.unit_amount.into_option(),
                self.unit_amount_decimal.into_option(),
                at,
            )?;
            found.push((path(at, "unit_amount"), PriceInput::UnitAmount(a)));
        }
        let prices = [
            (path(at, "price"), self.price),
            (
                path(&path(at, "pricing"), "price"),
                self.pricing.and_then(|p| p.price),
            ),
        ];
        for (param, id) in prices {
            if let Some(id) = id {
                let input = PriceInput::Price {
                    id,
                    param: param.clone(),
                };
                found.push((param, input));
            }
        }
        if let Some(d) = self.price_data {
            let param = path(at, "price_data");
            let input = PriceInput::PriceData(d.input(&param)?);
            found.push((param, input));
        }
        if found.len() > 1 {
            let names: Vec<&str> = found.iter().map(|(param, _)| param.as_str()).collect();
            let names = names.join(", ");
            return Err(Error::exclusive(&names, found.swap_remove(0).0));
        }
        let price = found.pop().map(|(_, input)| input);
        let (quantity, quantity_param) = match (self.quantity, self.quantity_decimal.0) {
            (Some(_), Some(_)) => {
                return Err(Error::exclusive(
                    "quantity, quantity_decimal",
                    path(at, "quantity"),
                ));
            }
            (Some(Quantity(q)), None) => (Some(Decimal::from_int(q)), "quantity"),
            (None, Some(QuantityDecimal(q))) => (Some(q), "quantity_decimal"),
            (None, None) => (None, "quantity"),
        };
        if matches!(price, Some(PriceInput::Amount(_)))
            && quantity.is_some_and(|q| q != Decimal::from_int(1))
        {
            return Err(Error::param_invalid(
                path(at, quantity_param),
                None,
                "You can't pass quantity with amount: amount is the whole charge. Use unit_amount, price or price_data with quantity.",
            ));
        }
        Ok(ItemFields {
            param: at.to_owned(),
            price,
            quantity,
            description: self.description,
            discountable: self.discountable,
            discounts: discounts_patch(self.discounts, at),
            metadata: self.metadata.0,
            period: self.period.map(|PeriodParam(p)| p),
            tax_rates: tax_rate_inputs(self.tax_rates, &path(at, "tax_rates")),
            tax_amounts: Patch::Absent,
        })
    }
}
