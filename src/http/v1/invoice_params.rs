//! Readers of the parameters the invoice endpoints share: the fields an invoice item shares with
//! `add_lines` / `update_lines` lines and preview `invoice_items[]` (price source, quantity,
//! description, discounts, metadata, period), `discounts[]`, `currency`, and the refusal of
//! parameters the mock does not model. Reading only: no store calls, no responses.

use crate::domain::invoice::Period;
use crate::domain::patch::Patch;
use crate::error::{Error, Result};
use crate::http::params::{Param, Params};
use crate::store::invoicing::{
    DiscountInput, ItemFields, PriceDataInput, PriceInput, ProductInput,
};

use super::prices::{opt_recurring, req_currency, req_unit_amount};

const TAX_BEHAVIORS: &[&str] = &["exclusive", "inclusive", "unspecified"];

/// Most discounts Stripe accepts on one object.
const MAX_DISCOUNTS: usize = 20;

/// Path of the object `p` reads (`lines[0]`), or `""` at the top level.
pub fn prefix_of(p: &Params) -> String {
    let probe = p.path_of("_");
    probe
        .strip_suffix("[_]")
        .map(str::to_owned)
        .unwrap_or_default()
}

/// Reads an optional `currency`.
///
/// # Errors
/// Empty, or not a three-letter code.
pub fn opt_currency(p: &mut Params) -> Result<Option<String>> {
    if p.contains("currency") {
        req_currency(p, "currency").map(Some)
    } else {
        Ok(None)
    }
}

/// Refuses a parameter the mock does not model, with a message saying so (rather than calling a
/// real Stripe parameter unknown).
///
/// # Errors
/// `key` was sent with a non-empty value.
pub fn reject_unsupported(p: &mut Params, keys: &[&str]) -> Result<()> {
    for key in keys {
        let path = p.path_of(key);
        match p.take_raw(key) {
            None | Some(Param::Null) => {}
            Some(Param::String(s)) if s.is_empty() => {}
            Some(Param::Array(a)) if a.is_empty() => {}
            Some(_) => {
                return Err(Error::param_invalid(
                    path.clone(),
                    None,
                    format!(
                        "The parameter {path} is not supported by this mock (no tax, subscription, schedule or Connect models)."
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Reads `discounts[N][coupon]` (`discounts=` clears them).
///
/// # Errors
/// Wrong types, a missing coupon, or `discount` / `promotion_code`, which are not modelled.
pub fn read_discounts(p: &mut Params) -> Result<Patch<Vec<DiscountInput>>> {
    p.patch_array("discounts", MAX_DISCOUNTS, |d, _| {
        reject_unsupported(d, &["discount", "promotion_code"])?;
        let param = d.path_of("coupon");
        Ok(DiscountInput {
            coupon: d.req_string("coupon")?,
            param,
        })
    })
}

/// Reads `period[start]` and `period[end]`.
///
/// # Errors
/// Missing bounds, or an end before the start.
pub fn read_period(p: &mut Params) -> Result<Option<Period>> {
    p.opt_object("period", |o| {
        let start = o.req_i64("start")?;
        let end_path = o.path_of("end");
        let end = o.req_i64("end")?;
        let period = Period { start, end };
        if !period.is_valid() {
            return Err(Error::param_invalid(
                end_path,
                None,
                "Invalid period: end must be at or after start.",
            ));
        }
        Ok(period)
    })
}

/// Reads a `price_data` object; `recurring` only where a subscription item is described.
///
/// # Errors
/// Missing currency, product or unit amount; both `product` and `product_data`.
pub fn read_price_data(d: &mut Params, allow_recurring: bool) -> Result<PriceDataInput> {
    let param = prefix_of(d);
    let currency = req_currency(d, "currency")?;
    let product_path = d.path_of("product");
    let product = match (
        d.opt_string("product")?,
        d.opt_object("product_data", |pd| pd.req_string("name"))?,
    ) {
        (Some(id), None) => ProductInput::Existing(id),
        (None, Some(name)) => ProductInput::Inline { name },
        (Some(_), Some(_)) => {
            return Err(Error::InvalidRequest {
                code: Some("parameters_exclusive"),
                message: "You may only specify one of these parameters: product, product_data."
                    .into(),
                param: Some(product_path),
            });
        }
        (None, None) => {
            return Err(Error::ParameterMissing {
                param: product_path,
            });
        }
    };
    let unit_amount = req_unit_amount(d)?;
    let tax_behavior = d.opt_enum("tax_behavior", TAX_BEHAVIORS)?;
    let recurring = if allow_recurring {
        opt_recurring(d)?
    } else {
        None
    };
    Ok(PriceDataInput {
        param,
        currency,
        product,
        unit_amount,
        tax_behavior,
        recurring,
    })
}

/// Reads the price source: exactly one of `amount`, `unit_amount` / `unit_amount_decimal`,
/// `price`, `pricing[price]` or `price_data`.
fn read_price_source(p: &mut Params) -> Result<Option<PriceInput>> {
    let mut found: Vec<(String, PriceInput)> = Vec::new();
    let amount_path = p.path_of("amount");
    if let Some(a) = p.opt_i64("amount")? {
        found.push((amount_path, PriceInput::Amount(a)));
    }
    if p.contains("unit_amount") || p.contains("unit_amount_decimal") {
        found.push((
            p.path_of("unit_amount"),
            PriceInput::UnitAmount(req_unit_amount(p)?),
        ));
    }
    let price_path = p.path_of("price");
    if let Some(id) = p.opt_string("price")? {
        found.push((
            price_path.clone(),
            PriceInput::Price {
                id,
                param: price_path,
            },
        ));
    }
    // `pricing[price]` is the 2025-03-31.basil spelling the current SDKs send.
    if let Some(Some((path, id))) = p.opt_object("pricing", |o| {
        let path = o.path_of("price");
        Ok(o.opt_string("price")?.map(|id| (path, id)))
    })? {
        found.push((path.clone(), PriceInput::Price { id, param: path }));
    }
    let data_path = p.path_of("price_data");
    if let Some(d) = p.opt_object("price_data", |d| read_price_data(d, false))? {
        found.push((data_path, PriceInput::PriceData(d)));
    }
    if found.len() > 1 {
        let names: Vec<&str> = found.iter().map(|(path, _)| path.as_str()).collect();
        return Err(Error::InvalidRequest {
            code: Some("parameters_exclusive"),
            message: format!(
                "You may only specify one of these parameters: {}.",
                names.join(", ")
            ),
            param: found.first().map(|(path, _)| path.clone()),
        });
    }
    Ok(found.pop().map(|(_, input)| input))
}

/// Reads the fields an invoice item shares with invoice lines and preview items.
///
/// # Errors
/// Wrong types, conflicting price sources, `quantity` with `amount`, tax parameters.
pub fn read_item_fields(p: &mut Params) -> Result<ItemFields> {
    let param = prefix_of(p);
    let price = read_price_source(p)?;
    let quantity_path = p.path_of("quantity");
    let quantity = p.opt_i64("quantity")?;
    if quantity.is_some_and(|q| q < 0) {
        return Err(Error::param_invalid(
            quantity_path,
            Some("parameter_invalid_integer"),
            "Invalid quantity: must be greater than or equal to 0.",
        ));
    }
    if matches!(price, Some(PriceInput::Amount(_))) && quantity.is_some_and(|q| q != 1) {
        return Err(Error::param_invalid(
            quantity_path,
            None,
            "You can't pass quantity with amount: amount is the whole charge. Use unit_amount, price or price_data with quantity.",
        ));
    }
    let fields = ItemFields {
        param,
        price,
        quantity,
        description: p.patch_string("description")?,
        discountable: p.opt_bool("discountable")?,
        discounts: read_discounts(p)?,
        metadata: p.opt_metadata("metadata")?,
        period: read_period(p)?,
    };
    reject_unsupported(p, &["tax_rates", "tax_amounts"])?;
    // Accepted and without effect: no tax is modelled.
    p.opt_enum("tax_behavior", TAX_BEHAVIORS)?;
    p.opt_string("tax_code")?;
    Ok(fields)
}
