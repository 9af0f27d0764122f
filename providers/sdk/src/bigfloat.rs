//! `BigFloat`: a binary floating-point number of arbitrary precision, rounded to nearest even,
//! with the precision rules and decimal printing of the big floats Terraform's numbers are
//! made of (each value carries its precision in bits; an operation's result takes the larger of
//! its operands'; printing gives the shortest decimal that reads back as the same value at that
//! precision). The mantissa arithmetic is num-bigint's.
//!
//! Values are kept normalised: a finite non-zero value is `mant × 2^exp` with `mant` odd, so
//! equal values have equal fields.

use std::cmp::Ordering;

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

/// Decimal exponents beyond this (in either direction) are not expanded: `1e+100001` reads as
/// infinity and `1e-100001` as zero, which keeps a hostile literal from allocating gigabytes.
pub(crate) const MAX_DECIMAL_EXPONENT: i64 = 100_000;

/// What kind of value a [`BigFloat`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Zero,
    Inf,
    /// `mant × 2^exp`, `mant` odd.
    Finite {
        mant: BigUint,
        exp: i64,
    },
}

/// An arbitrary-precision binary float.
#[derive(Clone, Debug)]
pub(crate) struct BigFloat {
    negative: bool,
    kind: Kind,
    prec: u32,
}

/// A decimal expansion: `0.d₁d₂d₃… × 10^point`, digits without leading or trailing zeros
/// (empty for zero).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Decimal {
    /// ASCII digits.
    pub digits: Vec<u8>,
    /// Where the decimal point goes, counted from the first digit.
    pub point: i64,
}

/// The result of a division that cannot give a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotANumber;

impl BigFloat {
    /// Zero of the given sign.
    pub fn zero(negative: bool, prec: u32) -> BigFloat {
        BigFloat {
            negative,
            kind: Kind::Zero,
            prec,
        }
    }

    /// Infinity of the given sign.
    pub fn infinity(negative: bool, prec: u32) -> BigFloat {
        BigFloat {
            negative,
            kind: Kind::Inf,
            prec,
        }
    }

    /// `±mant × 2^exp` (+ a sticky non-zero remainder below it), rounded to `prec` bits.
    fn from_parts(negative: bool, mant: BigUint, exp: i64, sticky: bool, prec: u32) -> BigFloat {
        if mant.is_zero() {
            return BigFloat::zero(negative, prec);
        }
        let bits = mant.bits();
        let (mut mant, mut exp) = (mant, exp);
        if bits > u64::from(prec) || sticky {
            let shift = bits.saturating_sub(u64::from(prec));
            let (kept, half, below) = if shift == 0 {
                (mant, false, sticky)
            } else {
                let kept = &mant >> shift;
                let half = mant.bit(shift - 1);
                let below = sticky || mant.trailing_zeros().is_some_and(|tz| tz < shift - 1);
                (kept, half, below)
            };
            let round_up = half && (below || kept.bit(0));
            mant = if round_up { kept + 1u32 } else { kept };
            exp += shift as i64;
        }
        if let Some(tz) = mant.trailing_zeros() {
            if tz > 0 {
                mant >>= tz;
                exp += tz as i64;
            }
        }
        BigFloat {
            negative,
            kind: Kind::Finite { mant, exp },
            prec,
        }
    }

    /// An integer at the given precision.
    pub fn from_i128(value: i128, prec: u32) -> BigFloat {
        BigFloat::from_parts(
            value < 0,
            BigUint::from(value.unsigned_abs()),
            0,
            false,
            prec,
        )
    }

    /// A big integer `±magnitude` at the given precision.
    pub fn from_biguint(negative: bool, magnitude: BigUint, prec: u32) -> BigFloat {
        BigFloat::from_parts(negative, magnitude, 0, false, prec)
    }

    /// A float64, exactly, at 53 bits; None for NaN.
    pub fn from_f64(value: f64) -> Option<BigFloat> {
        if value.is_nan() {
            return None;
        }
        let negative = value.is_sign_negative();
        if value.is_infinite() {
            return Some(BigFloat::infinity(negative, 53));
        }
        if value == 0.0 {
            return Some(BigFloat::zero(negative, 53));
        }
        let bits = value.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1u64 << 52) - 1);
        let (mant, exp) = if exponent == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1u64 << 52), exponent - 1075)
        };
        Some(BigFloat::from_parts(
            negative,
            BigUint::from(mant),
            exp,
            false,
            53,
        ))
    }

    /// Parses a decimal number (`[+-]digits[.digits][e[+-]digits]`, or `inf`/`Inf` with an
    /// optional sign) rounded to `prec` bits. None when the text is not such a number.
    pub fn parse(text: &str, prec: u32) -> Option<BigFloat> {
        let (negative, body) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        if body == "inf" || body == "Inf" {
            return Some(BigFloat::infinity(negative, prec));
        }
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(at) => (&body[..at], Some(&body[at + 1..])),
            None => (body, None),
        };
        let (whole, fraction) = match mantissa.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (mantissa, ""),
        };
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !digits_only(whole) || !digits_only(fraction) {
            return None;
        }
        let mut exp10: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !digits_only(digits) {
                    return None;
                }
                let magnitude = digits.trim_start_matches('0').parse::<i64>().unwrap_or(
                    if digits.trim_start_matches('0').is_empty() {
                        0
                    } else {
                        i64::MAX / 4
                    },
                );
                if e.starts_with('-') {
                    -magnitude
                } else {
                    magnitude
                }
            }
        };
        let all_digits = format!("{whole}{fraction}");
        let significant = all_digits.trim_start_matches('0');
        if significant.is_empty() {
            return Some(BigFloat::zero(negative, prec));
        }
        exp10 = exp10.saturating_sub(fraction.len() as i64);
        let trimmed = significant.trim_end_matches('0');
        exp10 = exp10.saturating_add((significant.len() - trimmed.len()) as i64);
        let magnitude_digits = trimmed.len() as i64 + exp10;
        if magnitude_digits > MAX_DECIMAL_EXPONENT {
            return Some(BigFloat::infinity(negative, prec));
        }
        if magnitude_digits < -MAX_DECIMAL_EXPONENT {
            return Some(BigFloat::zero(negative, prec));
        }
        let integer: BigUint = trimmed.parse().ok()?;
        if exp10 >= 0 {
            let scaled = integer * BigUint::from(10u32).pow(exp10 as u32);
            Some(BigFloat::from_parts(negative, scaled, 0, false, prec))
        } else {
            let divisor = BigUint::from(10u32).pow((-exp10) as u32);
            Some(divide_rounded(negative, integer, 0, &divisor, 0, prec))
        }
    }

    /// The precision in bits.
    pub fn prec(&self) -> u32 {
        self.prec
    }

    /// Whether this is zero (of either sign).
    pub fn is_zero(&self) -> bool {
        self.kind == Kind::Zero
    }

    /// Whether this is an infinity.
    pub fn is_infinite(&self) -> bool {
        self.kind == Kind::Inf
    }

    /// Whether the sign bit is set (also for -0).
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Whether this is a finite whole number.
    pub fn is_integer(&self) -> bool {
        match &self.kind {
            Kind::Zero => true,
            Kind::Inf => false,
            Kind::Finite { exp, .. } => *exp >= 0,
        }
    }

    /// The value when it is a whole number that fits in an i64.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.kind {
            Kind::Zero => Some(0),
            Kind::Inf => None,
            Kind::Finite { mant, exp } => {
                if *exp < 0 || mant.bits() + *exp as u64 > 64 {
                    return None;
                }
                let magnitude = (mant << (*exp as u64)).to_u64()?;
                if self.negative {
                    0i64.checked_sub_unsigned(magnitude)
                } else {
                    i64::try_from(magnitude).ok()
                }
            }
        }
    }

    /// The nearest float64 (infinite beyond its range).
    pub fn to_f64(&self) -> f64 {
        let sign = if self.negative { -1.0 } else { 1.0 };
        match &self.kind {
            Kind::Zero => sign * 0.0,
            Kind::Inf => sign * f64::INFINITY,
            Kind::Finite { .. } => {
                let rounded = self.with_prec(53);
                let Kind::Finite { mant, exp } = &rounded.kind else {
                    return sign * 0.0;
                };
                let mant = mant.to_f64().unwrap_or(f64::INFINITY);
                let half = (*exp / 2).clamp(-2000, 2000) as i32;
                let rest = (*exp - i64::from(half)).clamp(-2000, 2000) as i32;
                sign * mant * 2f64.powi(half) * 2f64.powi(rest)
            }
        }
    }

    /// The same value rounded to `prec` bits.
    pub fn with_prec(&self, prec: u32) -> BigFloat {
        match &self.kind {
            Kind::Finite { mant, exp } => {
                BigFloat::from_parts(self.negative, mant.clone(), *exp, false, prec)
            }
            _ => BigFloat {
                prec,
                ..self.clone()
            },
        }
    }

    /// The negation.
    pub fn neg(&self) -> BigFloat {
        BigFloat {
            negative: !self.negative,
            ..self.clone()
        }
    }

    /// `self + other`, rounded to the larger precision. Infinities of opposite signs give
    /// [`NotANumber`].
    pub fn add(&self, other: &BigFloat) -> Result<BigFloat, NotANumber> {
        let prec = self.prec.max(other.prec);
        match (&self.kind, &other.kind) {
            (Kind::Inf, Kind::Inf) if self.negative != other.negative => Err(NotANumber),
            (Kind::Inf, _) => Ok(BigFloat::infinity(self.negative, prec)),
            (_, Kind::Inf) => Ok(BigFloat::infinity(other.negative, prec)),
            (Kind::Zero, Kind::Zero) => Ok(BigFloat::zero(self.negative && other.negative, prec)),
            (Kind::Zero, _) => Ok(other.with_prec(prec)),
            (_, Kind::Zero) => Ok(self.with_prec(prec)),
            (Kind::Finite { mant: ma, exp: ea }, Kind::Finite { mant: mb, exp: eb }) => {
                let exp = (*ea).min(*eb);
                let a = ma << ((*ea - exp) as u64);
                let b = mb << ((*eb - exp) as u64);
                if self.negative == other.negative {
                    Ok(BigFloat::from_parts(self.negative, a + b, exp, false, prec))
                } else {
                    match a.cmp(&b) {
                        Ordering::Equal => Ok(BigFloat::zero(false, prec)),
                        Ordering::Greater => {
                            Ok(BigFloat::from_parts(self.negative, a - b, exp, false, prec))
                        }
                        Ordering::Less => Ok(BigFloat::from_parts(
                            other.negative,
                            b - a,
                            exp,
                            false,
                            prec,
                        )),
                    }
                }
            }
        }
    }

    /// `self - other`.
    pub fn sub(&self, other: &BigFloat) -> Result<BigFloat, NotANumber> {
        self.add(&other.neg())
    }

    /// `self × other`, rounded to the larger precision. Zero times infinity gives
    /// [`NotANumber`].
    pub fn mul(&self, other: &BigFloat) -> Result<BigFloat, NotANumber> {
        let prec = self.prec.max(other.prec);
        let negative = self.negative != other.negative;
        match (&self.kind, &other.kind) {
            (Kind::Inf, Kind::Zero) | (Kind::Zero, Kind::Inf) => Err(NotANumber),
            (Kind::Inf, _) | (_, Kind::Inf) => Ok(BigFloat::infinity(negative, prec)),
            (Kind::Zero, _) | (_, Kind::Zero) => Ok(BigFloat::zero(negative, prec)),
            (Kind::Finite { mant: ma, exp: ea }, Kind::Finite { mant: mb, exp: eb }) => Ok(
                BigFloat::from_parts(negative, ma * mb, ea + eb, false, prec),
            ),
        }
    }

    /// `self ÷ other`, rounded to the larger precision: a finite value over zero is infinite;
    /// zero over zero and infinity over infinity give [`NotANumber`].
    pub fn quo(&self, other: &BigFloat) -> Result<BigFloat, NotANumber> {
        let prec = self.prec.max(other.prec);
        let negative = self.negative != other.negative;
        match (&self.kind, &other.kind) {
            (Kind::Zero, Kind::Zero) | (Kind::Inf, Kind::Inf) => Err(NotANumber),
            (Kind::Zero, _) | (_, Kind::Inf) => Ok(BigFloat::zero(negative, prec)),
            (Kind::Inf, _) | (_, Kind::Zero) => Ok(BigFloat::infinity(negative, prec)),
            (Kind::Finite { mant: ma, exp: ea }, Kind::Finite { mant: mb, exp: eb }) => {
                Ok(divide_rounded(negative, ma.clone(), *ea, mb, *eb, prec))
            }
        }
    }

    /// The whole part, toward zero, as sign and magnitude (None for infinities), and whether
    /// anything was cut off.
    pub fn trunc(&self) -> Option<(bool, BigUint, bool)> {
        match &self.kind {
            Kind::Zero => Some((self.negative, BigUint::zero(), false)),
            Kind::Inf => None,
            Kind::Finite { mant, exp } => {
                if *exp >= 0 {
                    Some((self.negative, mant << (*exp as u64), false))
                } else {
                    let shift = (-*exp) as u64;
                    Some((self.negative, mant >> shift, true))
                }
            }
        }
    }

    /// Compares values (-0 equals +0).
    pub fn cmp_value(&self, other: &BigFloat) -> Ordering {
        let sign = |f: &BigFloat| -> i8 {
            match f.kind {
                Kind::Zero => 0,
                _ if f.negative => -1,
                _ => 1,
            }
        };
        let (sa, sb) = (sign(self), sign(other));
        if sa != sb || sa == 0 {
            return sa.cmp(&sb);
        }
        let magnitude = match (&self.kind, &other.kind) {
            (Kind::Inf, Kind::Inf) => Ordering::Equal,
            (Kind::Inf, _) => Ordering::Greater,
            (_, Kind::Inf) => Ordering::Less,
            (Kind::Finite { mant: ma, exp: ea }, Kind::Finite { mant: mb, exp: eb }) => {
                let (ta, tb) = (ma.bits() as i64 + ea, mb.bits() as i64 + eb);
                if ta != tb {
                    ta.cmp(&tb)
                } else {
                    let exp = (*ea).min(*eb);
                    (ma << ((*ea - exp) as u64)).cmp(&(mb << ((*eb - exp) as u64)))
                }
            }
            _ => Ordering::Equal,
        };
        if sa < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }

    /// The exact decimal expansion of a finite value (binary fractions always end).
    pub fn exact_decimal(&self) -> Decimal {
        match &self.kind {
            Kind::Finite { mant, exp } => scaled_decimal(mant, *exp),
            _ => Decimal {
                digits: Vec::new(),
                point: 0,
            },
        }
    }

    /// The shortest decimal that reads back as this value at its precision (ties to the
    /// nearer, as Terraform prints numbers).
    pub fn shortest_decimal(&self) -> Decimal {
        let Kind::Finite { mant, exp } = &self.kind else {
            return self.exact_decimal();
        };
        let exact = scaled_decimal(mant, *exp);
        // Scale the mantissa to exactly `prec` bits, then to prec+1 so that its last bit is
        // half a unit in the last place.
        let prec = u64::from(self.prec.max(1));
        let widen = prec.saturating_sub(mant.bits());
        let full = mant << widen;
        let half_exp = *exp - widen as i64 - 1;
        let doubled = &full << 1u32;
        let lower = scaled_decimal(&(&doubled - 1u32), half_exp);
        let upper = scaled_decimal(&(&doubled + 1u32), half_exp);
        let inclusive = !full.bit(0);
        for n in 1..=exact.digits.len() {
            let down = exact.truncated(n);
            let up = down.incremented(n as i64 - exact.point);
            let down_ok = match down.cmp_to(&lower) {
                Ordering::Greater => true,
                Ordering::Equal => inclusive,
                Ordering::Less => false,
            };
            let up_ok = match up.cmp_to(&upper) {
                Ordering::Less => true,
                Ordering::Equal => inclusive,
                Ordering::Greater => false,
            };
            match (down_ok, up_ok) {
                (true, true) => return exact.rounded(n),
                (true, false) => return down,
                (false, true) => return up,
                (false, false) => {}
            }
        }
        exact
    }
}

impl PartialEq for BigFloat {
    fn eq(&self, other: &BigFloat) -> bool {
        self.cmp_value(other) == Ordering::Equal
    }
}

/// `±(a × 2^ea) / (b × 2^eb)` rounded to `prec` bits (`b` non-zero).
fn divide_rounded(
    negative: bool,
    a: BigUint,
    ea: i64,
    b: &BigUint,
    eb: i64,
    prec: u32,
) -> BigFloat {
    let shift = (u64::from(prec) + 2 + b.bits()).saturating_sub(a.bits());
    let numerator = a << shift;
    let quotient = &numerator / b;
    let sticky = !(numerator % b).is_zero();
    BigFloat::from_parts(negative, quotient, ea - eb - shift as i64, sticky, prec)
}

/// The exact decimal of `mant × 2^exp`.
fn scaled_decimal(mant: &BigUint, exp: i64) -> Decimal {
    let (integer, fraction_digits) = if exp >= 0 {
        (mant << (exp as u64), 0i64)
    } else {
        (mant * BigUint::from(5u32).pow((-exp) as u32), -exp)
    };
    Decimal::from_integer(&integer, fraction_digits)
}

impl Decimal {
    /// `integer / 10^fraction_digits`.
    pub fn from_integer(integer: &BigUint, fraction_digits: i64) -> Decimal {
        if integer.is_zero() {
            return Decimal {
                digits: Vec::new(),
                point: 0,
            };
        }
        let mut digits = integer.to_string().into_bytes();
        let point = digits.len() as i64 - fraction_digits;
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        Decimal { digits, point }
    }

    /// The first `n` digits (toward zero).
    pub fn truncated(&self, n: usize) -> Decimal {
        let mut digits = self.digits[..n.min(self.digits.len())].to_vec();
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        Decimal {
            digits,
            point: self.point,
        }
    }

    /// Plus one unit at the digit whose place is `10^-(place)` (place counted after the point).
    fn incremented(&self, place: i64) -> Decimal {
        // Work with the digits up to `place` as an integer.
        let len = (self.point + place).max(0) as usize;
        let mut digits: Vec<u8> = self.digits.iter().copied().take(len).collect();
        digits.resize(len, b'0');
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                let point = self.point + 1;
                return Decimal::trimmed(digits, point);
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                return Decimal::trimmed(digits, self.point);
            }
        }
    }

    fn trimmed(mut digits: Vec<u8>, point: i64) -> Decimal {
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        let leading = digits.iter().take_while(|d| **d == b'0').count();
        digits.drain(..leading);
        Decimal {
            point: point - leading as i64,
            digits,
        }
    }

    /// Rounded to `n` significant digits, ties to even (Terraform's rounding of decimal
    /// digits).
    pub fn rounded(&self, n: usize) -> Decimal {
        if n >= self.digits.len() {
            return self.clone();
        }
        let next = self.digits[n];
        let up = if next == b'5' && n + 1 == self.digits.len() {
            n > 0 && (self.digits[n - 1] - b'0') % 2 == 1
        } else {
            next >= b'5'
        };
        if up {
            self.incremented(n as i64 - self.point)
        } else {
            self.truncated(n)
        }
    }

    /// Rounded to `places` digits after the point, ties to even.
    pub fn rounded_at(&self, places: i64) -> Decimal {
        let n = self.point + places;
        if n < 0 {
            return Decimal {
                digits: Vec::new(),
                point: 0,
            };
        }
        if n == 0 {
            // Only a value of at least half a unit at that place rounds up.
            let up = match self.digits.first() {
                Some(b'5') => self.digits.len() > 1,
                Some(d) => *d > b'5',
                None => false,
            };
            return if up {
                Decimal {
                    digits: vec![b'1'],
                    point: self.point + 1,
                }
            } else {
                Decimal {
                    digits: Vec::new(),
                    point: 0,
                }
            };
        }
        self.rounded(n as usize)
    }

    /// Compares two non-negative decimals.
    fn cmp_to(&self, other: &Decimal) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        if self.point != other.point {
            return self.point.cmp(&other.point);
        }
        self.digits.cmp(&other.digits)
    }

    /// Writes the value without an exponent (`123.45`, `0.001`, `1000`).
    pub fn write_plain(&self, out: &mut String) {
        if self.digits.is_empty() {
            out.push('0');
            return;
        }
        if self.point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-self.point) as usize));
            out.extend(self.digits.iter().map(|d| *d as char));
            return;
        }
        let point = self.point as usize;
        for i in 0..point.max(self.digits.len()) {
            if i == point {
                out.push('.');
            }
            out.push(self.digits.get(i).map_or('0', |d| *d as char));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(f: &BigFloat) -> String {
        let mut out = String::new();
        if f.is_negative() {
            out.push('-');
        }
        f.shortest_decimal().write_plain(&mut out);
        out
    }

    fn parse(text: &str) -> BigFloat {
        BigFloat::parse(text, 512).expect(text)
    }

    #[test]
    fn decimal_literals_keep_their_digits_at_512_bits() {
        for text in [
            "0.1",
            "1",
            "123456789012345678901234567890123456789",
            "0.000001",
            "2.5",
        ] {
            assert_eq!(plain(&parse(text)), text);
        }
        assert_eq!(plain(&parse("1.5e3")), "1500");
        assert_eq!(plain(&parse("1e-3")), "0.001");
    }

    #[test]
    fn sums_and_quotients_round_at_512_bits() {
        let sum = parse("0.1").add(&parse("0.2")).unwrap();
        assert_eq!(plain(&sum), "0.3");
        let third = parse("1").quo(&parse("3")).unwrap();
        // As Terraform prints 1/3.
        assert_eq!(
            plain(&third),
            "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335"
        );
    }

    #[test]
    fn float64_values_print_at_53_bits() {
        let big = BigFloat::from_f64(2f64.powi(60)).unwrap();
        assert_eq!(plain(&big), "1152921504606847000");
        assert_eq!(plain(&BigFloat::from_f64(0.1).unwrap()), "0.1");
        let third64 = BigFloat::from_i128(1, 64)
            .quo(&BigFloat::from_i128(3, 64))
            .unwrap();
        assert_eq!(plain(&third64), "0.33333333333333333334");
    }

    #[test]
    fn division_by_zero_is_infinite_and_zero_by_zero_fails() {
        let zero = BigFloat::zero(false, 512);
        assert!(parse("5").quo(&zero).unwrap().is_infinite());
        assert_eq!(zero.quo(&zero), Err(NotANumber));
    }

    #[test]
    fn comparisons_order_by_value() {
        assert_eq!(parse("-2").cmp_value(&parse("1")), Ordering::Less);
        assert_eq!(parse("0.5").cmp_value(&parse("0.25")), Ordering::Greater);
        assert_eq!(parse("-0").cmp_value(&parse("0")), Ordering::Equal);
        assert_eq!(parse("inf").cmp_value(&parse("1e300")), Ordering::Greater);
    }

    #[test]
    fn rounding_to_places_ties_to_even() {
        let d = parse("0.125").exact_decimal();
        let mut out = String::new();
        d.rounded_at(2).write_plain(&mut out);
        assert_eq!(out, "0.12");
    }
}
