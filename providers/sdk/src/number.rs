//! `Number`: a number as Terraform keeps it, a binary float of arbitrary precision.
//!
//! Every number carries a precision in bits, as Terraform's do: numbers read from text (literals,
//! strings converted to numbers, JSON) have 512 bits, integers made by functions such as
//! `length` 64, results of float64 math such as `pow` 53; an operation's result takes the larger
//! precision of its operands and is rounded to nearest even. So 60-digit integers and `1e+500`
//! are exact, `1/3` prints 154 digits, and `pow(2, 60)` prints `1152921504606847000`.
//!
//! Small integers (the vast majority: counts, indexes, ports) are held inline as an `i64` and
//! never allocate; everything else is a boxed big float.

use std::cmp::Ordering;
use std::fmt;

use crate::bigfloat::{BigFloat, NotANumber};

/// Precision of numbers read from text (HCL literals, numeric strings, JSON).
pub const TEXT_PRECISION: u32 = 512;
/// Precision of integers made from an `i64`.
pub const INT_PRECISION: u32 = 64;
/// Precision of numbers made from an `f64`.
pub const F64_PRECISION: u32 = 53;

/// A number: arbitrary precision, possibly infinite, never NaN.
#[derive(Clone)]
pub struct Number(Repr);

#[derive(Clone)]
enum Repr {
    /// An integer held exactly, with the precision it would have as a big float (it always
    /// fits in that many bits).
    Int { value: i64, prec: u32 },
    /// Any other number.
    Big(Box<BigFloat>),
}

/// An arithmetic operation without a numeric result: zero divided by zero, infinity minus
/// infinity and the like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberError;

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the result is not a number")
    }
}

impl std::error::Error for NumberError {}

impl From<NotANumber> for NumberError {
    fn from(_: NotANumber) -> NumberError {
        NumberError
    }
}

/// Bits needed for the magnitude of `value`.
fn bit_length(value: i64) -> u32 {
    64 - value.unsigned_abs().leading_zeros()
}

/// Bits between the highest and the lowest set bit of `value` (what a float must hold).
fn significant_bits(value: i64) -> u32 {
    if value == 0 {
        0
    } else {
        let magnitude = value.unsigned_abs();
        64 - magnitude.leading_zeros() - magnitude.trailing_zeros()
    }
}

impl Number {
    /// An integer (64 bits of precision, as Terraform's integers from functions).
    pub fn from_i64(value: i64) -> Number {
        Number(Repr::Int {
            value,
            prec: INT_PRECISION,
        })
    }

    /// A float64 (53 bits of precision); None for NaN.
    pub fn from_f64(value: f64) -> Option<Number> {
        if value.fract() == 0.0
            && value.abs() < 9.0e18
            && !(value == 0.0 && value.is_sign_negative())
        {
            return Some(Number(Repr::Int {
                value: value as i64,
                prec: F64_PRECISION,
            }));
        }
        BigFloat::from_f64(value).map(Number::big)
    }

    /// Parses a decimal number as Terraform converts strings to numbers: an optional sign,
    /// digits with an optional fraction and exponent, or `inf`; no spaces, no hex. 512 bits.
    pub fn parse(text: &str) -> Option<Number> {
        if text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() {
            return text
                .parse()
                .ok()
                .map(|value| Number::with_prec(value, TEXT_PRECISION));
        }
        BigFloat::parse(text, TEXT_PRECISION).map(Number::big)
    }

    /// An integer with a given precision (512 for integer literals).
    pub fn with_prec(value: i64, prec: u32) -> Number {
        if significant_bits(value) <= prec {
            Number(Repr::Int { value, prec })
        } else {
            Number::big(BigFloat::from_i128(i128::from(value), prec))
        }
    }

    /// An integer from its digits in `radix` (2 to 62; each digit's value, most significant
    /// first), with the precision Terraform gives such integers: their bit length, at least 64.
    /// None when a digit is not below the radix.
    pub fn from_digits(negative: bool, digits: &[u8], radix: u32) -> Option<Number> {
        let magnitude = num_bigint::BigUint::from_radix_be(digits, radix)?;
        let prec = (magnitude.bits() as u32).max(INT_PRECISION);
        Some(Number::big(BigFloat::from_biguint(
            negative, magnitude, prec,
        )))
    }

    fn big(float: BigFloat) -> Number {
        if let Some(value) = float.to_i64() {
            if !(value == 0 && float.is_negative()) {
                return Number(Repr::Int {
                    value,
                    prec: float.prec(),
                });
            }
        }
        Number(Repr::Big(Box::new(float)))
    }

    fn to_big(&self) -> std::borrow::Cow<'_, BigFloat> {
        match &self.0 {
            Repr::Int { value, prec } => {
                std::borrow::Cow::Owned(BigFloat::from_i128(i128::from(*value), *prec))
            }
            Repr::Big(float) => std::borrow::Cow::Borrowed(float),
        }
    }

    /// The precision in bits.
    pub fn precision(&self) -> u32 {
        match &self.0 {
            Repr::Int { prec, .. } => *prec,
            Repr::Big(float) => float.prec(),
        }
    }

    /// The nearest float64 (infinite beyond its range).
    pub fn as_f64(&self) -> f64 {
        match &self.0 {
            Repr::Int { value, .. } => *value as f64,
            Repr::Big(float) => float.to_f64(),
        }
    }

    /// The value as an i64 when it is a whole number in range.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Int { value, .. } => Some(*value),
            Repr::Big(float) => float.to_i64(),
        }
    }

    /// Whether this is a finite whole number.
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Int { .. } => true,
            Repr::Big(float) => float.is_integer(),
        }
    }

    /// Whether this is an infinity.
    pub fn is_infinite(&self) -> bool {
        matches!(&self.0, Repr::Big(float) if float.is_infinite())
    }

    /// Whether this is below zero (or negative zero).
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Int { value, .. } => *value < 0,
            Repr::Big(float) => float.is_negative(),
        }
    }

    /// Whether this is zero of either sign.
    pub fn is_zero(&self) -> bool {
        match &self.0 {
            Repr::Int { value, .. } => *value == 0,
            Repr::Big(float) => float.is_zero(),
        }
    }

    /// The same value at another precision (rounded to nearest even when it has more bits).
    pub fn with_precision(&self, prec: u32) -> Number {
        match &self.0 {
            Repr::Int { value, .. } => Number::with_prec(*value, prec),
            Repr::Big(float) => Number::big(float.with_prec(prec)),
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Number) -> Result<Number, NumberError> {
        if let (Repr::Int { value: a, prec: pa }, Repr::Int { value: b, prec: pb }) =
            (&self.0, &other.0)
        {
            if let Some(sum) = a.checked_add(*b) {
                return Ok(Number::with_prec(sum, (*pa).max(*pb)));
            }
        }
        Ok(Number::big(self.to_big().add(&other.to_big())?))
    }

    /// `self - other`.
    pub fn sub(&self, other: &Number) -> Result<Number, NumberError> {
        self.add(&other.neg())
    }

    /// `self × other`.
    pub fn mul(&self, other: &Number) -> Result<Number, NumberError> {
        if let (Repr::Int { value: a, prec: pa }, Repr::Int { value: b, prec: pb }) =
            (&self.0, &other.0)
        {
            if let Some(product) = a.checked_mul(*b) {
                if product != 0 || (*a >= 0 && *b >= 0) {
                    return Ok(Number::with_prec(product, (*pa).max(*pb)));
                }
            }
        }
        Ok(Number::big(self.to_big().mul(&other.to_big())?))
    }

    /// `self ÷ other`: infinite for a non-zero value over zero; an error for zero over zero
    /// and infinity over infinity.
    pub fn div(&self, other: &Number) -> Result<Number, NumberError> {
        if let (Repr::Int { value: a, prec: pa }, Repr::Int { value: b, prec: pb }) =
            (&self.0, &other.0)
        {
            if *b != 0 && a % b == 0 && *a != 0 {
                if let Some(quotient) = a.checked_div(*b) {
                    return Ok(Number::with_prec(quotient, (*pa).max(*pb)));
                }
            }
        }
        Ok(Number::big(self.to_big().quo(&other.to_big())?))
    }

    /// `self % other` as Terraform computes it: the remainder after subtracting the divisor
    /// times the quotient truncated toward zero (so the sign follows the dividend); a zero or
    /// infinite divisor gives the dividend, an infinite dividend an infinity.
    pub fn rem(&self, other: &Number) -> Result<Number, NumberError> {
        if self.is_infinite() {
            return self.mul(other);
        }
        if other.is_infinite() || other.is_zero() {
            return Ok(self.clone());
        }
        if let (Repr::Int { value: a, prec: pa }, Repr::Int { value: b, prec: pb }) =
            (&self.0, &other.0)
        {
            if let Some(remainder) = a.checked_rem(*b) {
                if remainder != 0 || *a >= 0 {
                    return Ok(Number::with_prec(remainder, (*pa).max(*pb)));
                }
            }
        }
        let (a, b) = (self.to_big(), other.to_big());
        let ratio = a.quo(&b)?;
        let Some((negative, whole, _)) = ratio.trunc() else {
            return Err(NumberError);
        };
        let whole_prec = (whole.bits() as u32).max(INT_PRECISION);
        let whole = BigFloat::from_biguint(negative, whole, whole_prec);
        let product = b.mul(&whole)?;
        let difference = a.with_prec(a.prec()).sub(&product)?.with_prec(a.prec());
        Ok(Number::big(difference))
    }

    /// The negation.
    pub fn neg(&self) -> Number {
        match &self.0 {
            Repr::Int { value: 0, prec } => Number::big(BigFloat::zero(true, *prec)),
            Repr::Int { value, prec } => match value.checked_neg() {
                Some(negated) => Number(Repr::Int {
                    value: negated,
                    prec: *prec,
                }),
                None => Number::big(BigFloat::from_i128(-i128::from(*value), *prec)),
            },
            Repr::Big(float) => Number::big(float.neg()),
        }
    }

    /// The absolute value.
    pub fn abs(&self) -> Number {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// Rounded toward negative infinity to a whole number (infinities stay).
    pub fn floor(&self) -> Number {
        self.to_whole(true)
    }

    /// Rounded toward positive infinity to a whole number (infinities stay).
    pub fn ceil(&self) -> Number {
        self.to_whole(false)
    }

    fn to_whole(&self, down: bool) -> Number {
        let Repr::Big(float) = &self.0 else {
            return self.clone();
        };
        let Some((negative, mut whole, cut)) = float.trunc() else {
            return self.clone();
        };
        if cut && negative == down {
            whole += 1u32;
        }
        if whole == num_bigint::BigUint::default() {
            return Number::big(BigFloat::zero(false, float.prec()));
        }
        Number::big(BigFloat::from_biguint(negative, whole, float.prec()))
    }

    /// The digits of a whole number in `radix` (2 to 36, lower case, without sign); None for
    /// fractions and infinities.
    pub fn to_radix_string(&self, radix: u32) -> Option<String> {
        if let Repr::Int { value, .. } = &self.0 {
            let magnitude = num_bigint::BigUint::from(value.unsigned_abs());
            return Some(magnitude.to_str_radix(radix));
        }
        match self.to_big().trunc()? {
            (_, magnitude, false) => Some(magnitude.to_str_radix(radix)),
            _ => None,
        }
    }

    /// The exact decimal expansion: digits (no leading or trailing zeros, empty for zero) and
    /// the position of the decimal point from the first digit. Infinities give no digits.
    pub fn exact_digits(&self) -> (Vec<u8>, i64) {
        let decimal = self.to_big().exact_decimal();
        (decimal.digits, decimal.point)
    }

    /// The decimal text rounded to `places` digits after the point (ties to even), without an
    /// exponent, as `format("%.Nf")` prints it; infinities print as `+Inf`/`-Inf`.
    pub fn to_fixed(&self, places: usize) -> String {
        if self.is_infinite() {
            return if self.is_negative() { "-Inf" } else { "+Inf" }.to_string();
        }
        let decimal = self.to_big().exact_decimal().rounded_at(places as i64);
        let mut out = String::new();
        if self.is_negative() {
            out.push('-');
        }
        let mut plain = String::new();
        decimal.write_plain(&mut plain);
        let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
        out.push_str(whole);
        if places > 0 {
            out.push('.');
            out.push_str(fraction);
            out.extend(std::iter::repeat_n(
                '0',
                places - fraction.len().min(places),
            ));
        }
        out
    }

    /// The shortest decimal digits that identify this value at its precision, with the
    /// position of the decimal point (the basis of [`fmt::Display`]).
    pub fn shortest_digits(&self) -> (Vec<u8>, i64) {
        match &self.0 {
            Repr::Int { value, prec } if bit_length(*value) <= *prec => {
                let text = value.unsigned_abs().to_string();
                let trimmed = text.trim_end_matches('0');
                if trimmed.is_empty() {
                    (Vec::new(), 0)
                } else {
                    (trimmed.as_bytes().to_vec(), text.len() as i64)
                }
            }
            _ => {
                let decimal = self.to_big().shortest_decimal();
                (decimal.digits, decimal.point)
            }
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    /// Orders by value (-0 equals 0; infinities at the ends).
    fn cmp(&self, other: &Number) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Int { value: a, .. }, Repr::Int { value: b, .. }) => a.cmp(b),
            _ => self.to_big().cmp_value(&other.to_big()),
        }
    }
}

impl fmt::Display for Number {
    /// Prints as Terraform does: the shortest decimal that identifies the value at its
    /// precision, never with an exponent (`1e+3` prints `1000`); `+Inf` and `-Inf`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Repr::Int { value, prec } = &self.0 {
            if bit_length(*value) <= *prec {
                return write!(f, "{value}");
            }
        }
        if self.is_infinite() {
            return f.write_str(if self.is_negative() { "-Inf" } else { "+Inf" });
        }
        let (digits, point) = self.shortest_digits();
        let mut out = String::new();
        if self.is_negative() {
            out.push('-');
        }
        crate::bigfloat::Decimal { digits, point }.write_plain(&mut out);
        f.write_str(&out)
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Number {
        Number::from_i64(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(text: &str) -> Number {
        Number::parse(text).expect(text)
    }

    #[test]
    fn big_integers_survive_arithmetic() {
        let big = lit("123456789012345678901234567890123456789012345678901234567890");
        assert_eq!(
            big.add(&lit("1")).unwrap().to_string(),
            "123456789012345678901234567890123456789012345678901234567891"
        );
        assert_eq!(big.as_i64(), None);
        assert!(big.is_integer());
    }

    #[test]
    fn precision_follows_the_operands() {
        let third = Number::from_i64(1).div(&Number::from_i64(3)).unwrap();
        assert_eq!(third.to_string(), "0.33333333333333333334");
        let literal_third = lit("1").div(&lit("3")).unwrap();
        assert_eq!(literal_third.to_string().len(), 157);
        let pow = Number::from_f64(2f64.powi(60)).unwrap();
        assert_eq!(pow.to_string(), "1152921504606847000");
        assert_eq!(
            pow.add(&lit("1")).unwrap().to_string(),
            "1152921504606846977"
        );
    }

    #[test]
    fn remainder_follows_the_dividend_sign() {
        assert_eq!(lit("-5").rem(&lit("3")).unwrap().to_string(), "-2");
        assert_eq!(lit("5").rem(&lit("-3")).unwrap().to_string(), "2");
        assert_eq!(lit("5.5").rem(&lit("2")).unwrap().to_string(), "1.5");
        assert_eq!(lit("-7.5").rem(&lit("2")).unwrap().to_string(), "-1.5");
        assert_eq!(lit("5").rem(&lit("0")).unwrap().to_string(), "5");
        assert_eq!(lit("0").rem(&lit("0")).unwrap().to_string(), "0");
    }

    #[test]
    fn zero_signs_print_like_terraform() {
        assert_eq!(lit("-0").to_string(), "-0");
        assert_eq!(lit("0").mul(&lit("-1")).unwrap().to_string(), "-0");
        assert_eq!(lit("-0").add(&lit("0")).unwrap().to_string(), "0");
    }

    #[test]
    fn huge_and_tiny_literals_parse() {
        let huge = lit("1e+500");
        assert_eq!(huge.to_string().len(), 501);
        let tiny = lit("1e-500");
        assert!(tiny.to_string().starts_with("0.0000"));
        assert!(lit("inf").is_infinite());
        assert_eq!(Number::parse(" 5"), None);
        assert_eq!(Number::parse("0x10"), None);
        assert_eq!(lit("5.").to_string(), "5");
        assert_eq!(lit(".5").to_string(), "0.5");
    }

    #[test]
    fn floor_and_ceil_keep_big_values_whole() {
        assert_eq!(lit("-1.5").floor().to_string(), "-2");
        assert_eq!(lit("-0.5").ceil().to_string(), "0");
        assert_eq!(lit("-0.5").floor().to_string(), "-1");
        assert_eq!(
            lit("123456789012345678901234567890123456789012345678901234567890.5")
                .ceil()
                .to_string(),
            "123456789012345678901234567890123456789012345678901234567891"
        );
    }

    #[test]
    fn fixed_places_round_half_even() {
        assert_eq!(lit("0.1").to_fixed(30), "0.100000000000000000000000000000");
        assert_eq!(lit("1").div(&lit("3")).unwrap().to_fixed(6), "0.333333");
        assert_eq!(lit("2.5").to_fixed(0), "2");
    }
}
