//! Amounts in integer minor units and per-currency charge limits.

/// Stripe's minimum charge amount for `currency`, in minor units (live-API table).
/// Unknown currencies use the USD-equivalent default of 50.
pub fn minimum_charge_amount(currency: &str) -> i64 {
    match currency {
        "gbp" => 30,
        "hkd" => 400,
        "mxn" | "thb" => 1000,
        "dkk" => 250,
        "nok" | "sek" => 300,
        "pln" | "ron" | "aed" | "myr" => 200,
        "czk" => 1500,
        "huf" => 17500,
        "bgn" => 100,
        _ => 50,
    }
}

/// Largest amount Stripe accepts for a charge: eight digits.
pub const MAXIMUM_AMOUNT: i64 = 99_999_999;

/// Whether `currency` looks like a lowercase ISO 4217 code.
pub fn is_currency(currency: &str) -> bool {
    currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimums() {
        assert_eq!(minimum_charge_amount("usd"), 50);
        assert_eq!(minimum_charge_amount("gbp"), 30);
        assert_eq!(minimum_charge_amount("huf"), 17500);
    }

    #[test]
    fn currency_codes() {
        assert!(is_currency("usd"));
        assert!(!is_currency("USD"));
        assert!(!is_currency("usdx"));
    }
}
