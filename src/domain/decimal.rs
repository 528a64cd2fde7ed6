//! Exact decimal numbers with at most 12 digits after the point: an item's `quantity_decimal`, a
//! tax rate's `percentage`, a legacy line's `unit_amount_excluding_tax`.
//!
//! A [`Decimal`] is an `i128` count of 10⁻¹² units, so parsing, comparing and printing are
//! exact, and the products and ratios taken with amounts are rounded half away from zero in
//! checked integer arithmetic (`None` when a result does not fit). No `f64`.

use std::fmt;

/// Digits after the point a decimal parameter may have (Stripe: "Non-negative decimal with at
/// most 12 decimal places").
pub const PLACES: usize = 12;

/// 10^[`PLACES`]: one unit.
const SCALE: i128 = 1_000_000_000_000;

/// An exact decimal number with at most [`PLACES`] fractional digits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(i128);

/// Why a string is not a [`Decimal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalError {
    /// Not a decimal number (`abc`, `1.2.3`, `1e3`, ``).
    Syntax,
    /// More than [`PLACES`] significant digits after the point.
    Precision,
    /// An integer part beyond `i64`.
    Range,
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal(0);

    /// The whole number `n`.
    pub fn from_int(n: i64) -> Self {
        // |n| ≤ 9.3·10¹⁸, so n·10¹² ≤ 9.3·10³⁰, far inside i128.
        Decimal(i128::from(n) * SCALE)
    }

    /// Parses `-?digits[.digits]` (`12`, `1.5`, `0.000000000001`, `.5`); trailing zeros after
    /// the point do not count against [`PLACES`].
    ///
    /// # Errors
    /// [`DecimalError`]: not a number, too precise, or an integer part beyond `i64`.
    pub fn parse(s: &str) -> Result<Self, DecimalError> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
            return Err(DecimalError::Syntax);
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > PLACES {
            return Err(DecimalError::Precision);
        }
        let whole = if int.is_empty() {
            0
        } else {
            int.parse::<i64>().map_err(|_| DecimalError::Range)?
        };
        let mut units: i128 = 0;
        for (i, b) in frac.bytes().enumerate() {
            let place = u32::try_from(PLACES - 1 - i).map_err(|_| DecimalError::Precision)?;
            units += i128::from(b - b'0') * 10_i128.pow(place);
        }
        let value = Decimal::from_int(whole).0 + units;
        Ok(Decimal(if negative { -value } else { value }))
    }

    /// Whether it is below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Whether it has no fractional part.
    pub fn is_integer(self) -> bool {
        self.0 % SCALE == 0
    }

    /// The integer part, truncated toward zero (`5.7` → `5`) and held within `i64` (a parsed
    /// decimal's always is).
    pub fn trunc(self) -> i64 {
        let whole = self.0 / SCALE;
        i64::try_from(whole).unwrap_or(if whole < 0 { i64::MIN } else { i64::MAX })
    }

    /// `amount × self`, rounded half away from zero to a whole number; `None` if it does not
    /// fit in `i64`.
    pub fn times(self, amount: i64) -> Option<i64> {
        let product = self.0.checked_mul(i128::from(amount))?;
        i64::try_from(div_round(product, SCALE)).ok()
    }

    /// `amount ÷ by`, rounded half away from zero to [`PLACES`] digits; `None` for a zero
    /// divisor or a result beyond the representable range.
    pub fn ratio(amount: i64, by: Decimal) -> Option<Decimal> {
        if by.0 == 0 {
            return None;
        }
        let negative = (amount < 0) != (by.0 < 0);
        // amount / (by.0 / SCALE) in units of 1/SCALE is amount · SCALE² / by.0: long division,
        // so no intermediate exceeds 10 × the divisor.
        let numerator = u128::from(amount.unsigned_abs()).checked_mul(SCALE.unsigned_abs())?;
        let divisor = by.0.unsigned_abs();
        let mut quotient = (numerator / divisor).checked_mul(SCALE.unsigned_abs())?;
        let mut rest = numerator % divisor;
        let mut fraction: u128 = 0;
        for _ in 0..PLACES {
            rest = rest.checked_mul(10)?;
            fraction = fraction * 10 + rest / divisor;
            rest %= divisor;
        }
        quotient = quotient.checked_add(fraction)?;
        if rest.checked_mul(2)? >= divisor {
            quotient = quotient.checked_add(1)?;
        }
        let magnitude = i128::try_from(quotient).ok()?;
        Some(Decimal(if negative { -magnitude } else { magnitude }))
    }
}

/// `n / d` for `d > 0`, rounded half away from zero.
fn div_round(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    // |r| < d, so 2|r| cannot overflow for the divisors used here (d = SCALE).
    if 2 * r.abs() >= d { q + n.signum() } else { q }
}

/// Stripe's decimal strings: no exponent, no trailing zeros, no point for whole numbers
/// (`1.5`, `2`, `0.000000000001`).
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.unsigned_abs();
        let scale = SCALE.unsigned_abs();
        if self.0 < 0 {
            f.write_str("-")?;
        }
        write!(f, "{}", magnitude / scale)?;
        let fraction = magnitude % scale;
        if fraction != 0 {
            let digits = format!("{fraction:012}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).expect(s)
    }

    #[test]
    fn parses_and_prints_exactly() {
        for (input, shown) in [
            ("1", "1"),
            ("1.5", "1.5"),
            ("1.50", "1.5"),
            ("0.000000000001", "0.000000000001"),
            (".25", "0.25"),
            ("7.", "7"),
            ("-2.5", "-2.5"),
            ("0", "0"),
            ("1.5000000000000000", "1.5"),
            (
                "9223372036854775807.999999999999",
                "9223372036854775807.999999999999",
            ),
        ] {
            assert_eq!(d(input).to_string(), shown, "{input}");
        }
        assert_eq!(d("3"), Decimal::from_int(3));
        assert_eq!(d("-0").to_string(), "0");
    }

    #[test]
    fn refuses_what_is_not_a_decimal() {
        for bad in [
            "", ".", "abc", "1.2.3", "1e3", "+1", " 1", "1,5", "--1", "0x10",
        ] {
            assert_eq!(Decimal::parse(bad), Err(DecimalError::Syntax), "{bad:?}");
        }
        assert_eq!(
            Decimal::parse("0.0000000000001"),
            Err(DecimalError::Precision)
        );
        assert_eq!(
            Decimal::parse("9223372036854775808"),
            Err(DecimalError::Range)
        );
    }

    #[test]
    fn integer_part_and_sign() {
        assert_eq!(d("5.7").trunc(), 5);
        assert_eq!(d("-5.7").trunc(), -5);
        assert_eq!(
            Decimal::ratio(i64::MAX, d("0.5")).map(Decimal::trunc),
            Some(i64::MAX)
        );
        assert_eq!(Decimal(i128::MAX).trunc(), i64::MAX);
        assert!(d("2").is_integer());
        assert!(!d("2.5").is_integer());
        assert!(d("-0.1").is_negative());
        assert!(!Decimal::ZERO.is_negative());
    }

    #[test]
    fn products_round_half_away_from_zero() {
        assert_eq!(d("1.5").times(799), Some(1199)); // 1198.5
        assert_eq!(d("1.5").times(-799), Some(-1199));
        assert_eq!(d("0.333333333333").times(3), Some(1)); // 0.999999999999
        assert_eq!(d("0.25").times(2), Some(1)); // 0.5
        assert_eq!(d("0.2").times(2), Some(0)); // 0.4
        assert_eq!(d("2").times(i64::MAX), None);
        assert_eq!(Decimal::from_int(i64::MAX).times(i64::MAX), None);
        assert_eq!(d("1").times(i64::MIN), Some(i64::MIN));
    }

    #[test]
    fn ratios_round_to_twelve_places() {
        assert_eq!(Decimal::ratio(909, d("1")), Some(d("909")));
        assert_eq!(
            Decimal::ratio(2000, d("3")).map(|r| r.to_string()),
            Some("666.666666666667".into())
        );
        assert_eq!(
            Decimal::ratio(-2000, d("3")).map(|r| r.to_string()),
            Some("-666.666666666667".into())
        );
        assert_eq!(Decimal::ratio(3, d("1.5")), Some(d("2")));
        assert_eq!(Decimal::ratio(1, Decimal::ZERO), None);
        // 9.2·10³⁰ whole units do not fit in 10⁻¹² units of an i128.
        assert_eq!(Decimal::ratio(i64::MAX, d("0.000000000001")), None);
        assert_eq!(
            Decimal::ratio(i64::MAX, d("1")),
            Some(Decimal::from_int(i64::MAX))
        );
    }
}
