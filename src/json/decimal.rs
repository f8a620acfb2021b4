//! Decimal text to f64 and back, correctly, without core's float parsing or printing.
//!
//! Why not `str::parse::<f64>`: core's parser carries a 10 KB table of 128-bit powers of five (for
//! the Eisel-Lemire algorithm) that does not compress; it was about 15 KB of the gzipped package,
//! for reading a few NumericDates. Why not `{}`/ryu for printing: the same trade for one field.
//!
//! Reading is exact (correctly rounded, ties to even, like core's parser; the tests compare the
//! two on every shape of input). Numbers of up to 19 significant digits below 2^53 with a power of
//! ten up to 10^22 (every realistic claim) take Clinger's fast path: both operands are exact
//! doubles, so one IEEE multiplication or division rounds correctly. Anything else is divided out
//! exactly in big integers: `D·10^e` as the fraction `A/B`, scaled by a power of two so that the
//! quotient has 65 or 66 bits, then long division gives the quotient and whether a remainder is
//! left, which is all correct rounding needs. Only the first 800 significant digits enter the
//! division, the rest collapse into a "something non-zero follows" flag: halfway points between
//! doubles have at most 767 significant digits, so no halfway point can fall inside the part that
//! was cut off, and the flag decides a tie exactly as the full number would.
//!
//! Writing is exact too: see [`write`].

/// Significant digits that enter the big-integer division; see the module documentation.
const MAX_DIGITS: usize = 800;

/// 2^53: below it every integer is an exact double.
const EXACT: u64 = 1 << 53;

/// The decimal exponent of a JSON number's magnitude: `m` with `10^(m-1) <= |value| < 10^m`, or
/// `None` for zero. Cheap (no allocation): the parser uses it to convert only numbers near f64's
/// limit when it checks that a number is finite.
pub(super) fn magnitude(text: &str) -> Option<i64> {
    Parts::of(text).magnitude()
}

/// The double nearest to the JSON number `text` (grammar already checked), ties to even; ±infinity
/// when it is beyond f64's range, ±0 when it is below half the smallest subnormal.
pub(super) fn parse(text: &str) -> f64 {
    let parts = Parts::of(text);
    let magnitude = parts.magnitude();
    let value = if magnitude.is_none_or(|m| m < -324) {
        0.0
    } else if magnitude.is_some_and(|m| m > 310) {
        f64::INFINITY
    } else {
        parts.fast().unwrap_or_else(|| parts.slow())
    };
    if parts.negative {
        -value
    } else {
        value
    }
}

/// A JSON number's pieces: the value is `D · 10^exponent`, where `D` is the integer written by
/// the digits before the exponent, with the point removed.
struct Parts<'a> {
    negative: bool,
    /// The digits and the point before the exponent (e.g. `12.50` of `-12.50e3`).
    mantissa: &'a str,
    exponent: i64,
}

impl<'a> Parts<'a> {
    fn of(text: &'a str) -> Parts<'a> {
        let negative = text.starts_with('-');
        let unsigned = text.trim_start_matches('-');
        let (mantissa, written_exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (
                unsigned.get(..at).unwrap_or_default(),
                unsigned.get(at + 1..).unwrap_or_default(),
            ),
            None => (unsigned, ""),
        };
        let fraction_digits = mantissa.find('.').map_or(0, |at| mantissa.len() - at - 1);
        // Saturating: an exponent of a million digits is as good as infinite either way.
        let exponent_value = written_exponent
            .trim_start_matches(['+', '-'])
            .bytes()
            .fold(0i64, |acc, digit| {
                acc.saturating_mul(10)
                    .saturating_add(i64::from(digit.wrapping_sub(b'0')))
                    .min(1 << 40)
            });
        let exponent_value = if written_exponent.starts_with('-') {
            -exponent_value
        } else {
            exponent_value
        };
        Parts {
            negative,
            mantissa,
            exponent: exponent_value.saturating_sub(saturating(fraction_digits)),
        }
    }

    /// The digits of `D` without leading zeros.
    fn significant(&self) -> impl Iterator<Item = u8> + Clone + 'a {
        self.mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .skip_while(|&digit| digit == b'0')
            .map(|digit| digit - b'0')
    }

    fn magnitude(&self) -> Option<i64> {
        let count = self.significant().count();
        (count > 0).then(|| saturating(count).saturating_add(self.exponent))
    }

    /// Clinger's fast path: `D` and `10^|e|` both exact doubles, so one operation rounds correctly.
    fn fast(&self) -> Option<f64> {
        let mut digits = self.significant();
        let mantissa = digits
            .by_ref()
            .take(19)
            .fold(0u64, |acc, digit| acc * 10 + u64::from(digit));
        if digits.next().is_some() || mantissa > EXACT || self.exponent.abs() > 22 {
            return None;
        }
        // Below 2^53, so exact.
        #[allow(clippy::cast_precision_loss)]
        let mantissa = mantissa as f64;
        // Every power of ten up to 10^22 is exact, and so is each step of this product.
        let power = (0..self.exponent.abs()).fold(1.0, |acc, _| acc * 10.0);
        Some(if self.exponent < 0 {
            mantissa / power
        } else {
            mantissa * power
        })
    }

    /// Exact division in big integers; see the module documentation.
    fn slow(&self) -> f64 {
        let mut digits = self.significant();
        let mut numerator = vec![0u32];
        let mut chunk = 0u32;
        let mut chunk_len = 0u32;
        for digit in digits.by_ref().take(MAX_DIGITS) {
            chunk = chunk * 10 + u32::from(digit);
            chunk_len += 1;
            if chunk_len == 9 {
                multiply_add(&mut numerator, 1_000_000_000, chunk);
                (chunk, chunk_len) = (0, 0);
            }
        }
        multiply_add(&mut numerator, 10u32.pow(chunk_len), chunk);
        // Digits past MAX_DIGITS: only whether one of them is non-zero matters.
        let mut dropped = 0usize;
        let mut cut_nonzero = false;
        for digit in digits {
            dropped += 1;
            cut_nonzero |= digit != 0;
        }
        // magnitude() placed this number within f64's reach, so the exponent is small here.
        let exponent = self.exponent.saturating_add(saturating(dropped));
        let mut denominator = vec![1u32];
        if exponent >= 0 {
            multiply_by_power_of_ten(&mut numerator, exponent.unsigned_abs());
        } else {
            multiply_by_power_of_ten(&mut denominator, exponent.unsigned_abs());
        }
        // Scale so that numerator / denominator lies in [2^64, 2^66).
        let shift = 65 - bit_length(&numerator) + bit_length(&denominator);
        if shift >= 0 {
            shift_left(&mut numerator, shift.unsigned_abs());
        } else {
            shift_left(&mut denominator, shift.unsigned_abs());
        }
        // Long division, one quotient bit per step: the remainder doubles and the denominator,
        // moved up 66 bits, is taken out when it fits.
        shift_left(&mut denominator, 66);
        let mut quotient = 0u128;
        for _ in 0..66 {
            multiply_add(&mut numerator, 2, 0);
            quotient <<= 1;
            if compare(&numerator, &denominator).is_ge() {
                subtract(&mut numerator, &denominator);
                quotient |= 1;
            }
        }
        let inexact = cut_nonzero || numerator.iter().any(|&limb| limb != 0);
        round(quotient, -shift, inexact)
    }
}

/// The double nearest to `quotient · 2^scale` (plus a little, when `inexact`), ties to even.
/// `quotient` has 65 or 66 bits.
fn round(quotient: u128, scale: i64, inexact: bool) -> f64 {
    let length = i64::from(128 - quotient.leading_zeros());
    // The value lies in [2^top, 2^(top+1)).
    let top = length - 1 + scale;
    if top > 1023 {
        return f64::INFINITY;
    }
    // Bits the result keeps: 53, fewer for subnormals; none at all below half the smallest one.
    let keep = if top >= -1022 { 53 } else { top + 1075 };
    if keep < 0 {
        return 0.0;
    }
    let drop = u32::try_from(length - keep).unwrap_or(0);
    let mut mantissa = quotient >> drop;
    let rest = quotient & ((1u128 << drop) - 1);
    let half = 1u128 << (drop - 1);
    if rest > half || (rest == half && (inexact || mantissa & 1 == 1)) {
        mantissa += 1;
    }
    // Adding the mantissa to the exponent field lets a carry out of the mantissa move the exponent
    // up (and the largest finite value up to infinity), as IEEE 754's layout is designed to.
    let mantissa = u64::try_from(mantissa).unwrap_or(u64::MAX);
    let bits = if top >= -1022 {
        (u64::try_from(top + 1022).unwrap_or(0) << 52) + mantissa
    } else {
        mantissa
    };
    f64::from_bits(bits)
}

fn saturating(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

// ---------------------------------------------------------------------------------------------
// Big integers: little-endian base-2^32 limbs, just the operations the two directions need.

/// `number = number · factor + addend`.
fn multiply_add(number: &mut Vec<u32>, factor: u32, addend: u32) {
    let mut carry = u64::from(addend);
    for limb in number.iter_mut() {
        let product = u64::from(*limb) * u64::from(factor) + carry;
        *limb = low_half(product);
        carry = product >> 32;
    }
    if carry > 0 {
        number.push(low_half(carry));
    }
}

fn low_half(value: u64) -> u32 {
    #[allow(clippy::cast_possible_truncation)]
    let low = value as u32;
    low
}

fn multiply_by_power_of_ten(number: &mut Vec<u32>, mut exponent: u64) {
    while exponent > 0 {
        let step = exponent.min(9);
        multiply_add(number, 10u32.pow(u32::try_from(step).unwrap_or(9)), 0);
        exponent -= step;
    }
}

fn shift_left(number: &mut Vec<u32>, bits: u64) {
    let limbs = usize::try_from(bits / 32).unwrap_or(0);
    number.splice(0..0, std::iter::repeat_n(0, limbs));
    multiply_add(number, 1 << (bits % 32), 0);
}

fn bit_length(number: &[u32]) -> i64 {
    match number.iter().rposition(|&limb| limb != 0) {
        Some(index) => {
            saturating(index) * 32
                + i64::from(32 - number.get(index).map_or(32, |limb| limb.leading_zeros()))
        }
        None => 0,
    }
}

fn significant_limbs(number: &[u32]) -> &[u32] {
    let length = number
        .iter()
        .rposition(|&limb| limb != 0)
        .map_or(0, |index| index + 1);
    number.get(..length).unwrap_or_default()
}

fn compare(a: &[u32], b: &[u32]) -> std::cmp::Ordering {
    let (a, b) = (significant_limbs(a), significant_limbs(b));
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

/// `a -= b`, where `a >= b`.
fn subtract(a: &mut [u32], b: &[u32]) {
    let mut borrow = false;
    for (index, limb) in a.iter_mut().enumerate() {
        let other = b.get(index).copied().unwrap_or(0);
        let (difference, under) = limb.overflowing_sub(other);
        let (difference, under_again) = difference.overflowing_sub(u32::from(borrow));
        *limb = difference;
        borrow = under || under_again;
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// `value` as JSON text: an integer when it is one below 2^53, otherwise its exact decimal
/// expansion; `null` for NaN and infinities, as serde_json writes them.
///
/// Exact rather than shortest: shortest round-trip printing needs tables and code we would carry
/// for one field. A double is `m·2^e`; for `e < 0` that is `m·5^-e / 10^-e`, so the digits of the
/// integer `m·5^-e` with the point `-e` places from the right are its exact value, which any correct
/// reader (JS's `JSON.parse` included) reads back to the same double. Times in milliseconds, the
/// one use, are integers and take the short path.
pub(super) fn write(value: f64, out: &mut String) {
    if !value.is_finite() {
        out.push_str("null");
        return;
    }
    if value.is_sign_negative() {
        out.push('-');
    }
    let magnitude = value.abs();
    #[allow(clippy::cast_precision_loss)]
    if magnitude.fract() == 0.0 && magnitude < EXACT as f64 {
        // Integral and below 2^53, so the conversion is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        write_u64(magnitude as u64, out);
        return;
    }
    let bits = magnitude.to_bits();
    let biased = bits >> 52;
    let fraction = bits & ((1 << 52) - 1);
    // Zero and subnormals have no implicit leading bit and the exponent of the smallest normal.
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (
            fraction | (1 << 52),
            i64::try_from(biased).unwrap_or(0) - 1075,
        )
    };
    let mut number = vec![low_half(mantissa), low_half(mantissa >> 32)];
    let point = if exponent >= 0 {
        shift_left(&mut number, exponent.unsigned_abs());
        0
    } else {
        for _ in 0..exponent.unsigned_abs() {
            multiply_add(&mut number, 5, 0);
        }
        usize::try_from(exponent.unsigned_abs()).unwrap_or(0)
    };
    let digits = decimal_digits(number);
    // Pad with zeros so that there is at least one digit before the point.
    let padded = format!(
        "{}{digits}",
        "0".repeat((point + 1).saturating_sub(digits.len()))
    );
    let (integer, fraction) = padded
        .split_at_checked(padded.len() - point)
        .unwrap_or(("0", ""));
    out.push_str(integer);
    let fraction = fraction.trim_end_matches('0');
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
}

pub(super) fn write_u64(mut value: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    while let Some(slot) = start.checked_sub(1).and_then(|at| digits.get_mut(at)) {
        *slot = b'0' + low_half(value % 10) as u8;
        start -= 1;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(digits.get(start..).unwrap_or_default()).unwrap_or_default());
}

/// The decimal digits of a big integer (`"0"` for zero).
fn decimal_digits(mut number: Vec<u32>) -> String {
    const BILLION: u64 = 1_000_000_000;
    // Groups of nine digits, least significant first.
    let mut groups = Vec::new();
    while number.iter().any(|&limb| limb != 0) {
        let mut remainder = 0u64;
        for limb in number.iter_mut().rev() {
            let current = (remainder << 32) | u64::from(*limb);
            *limb = low_half(current / BILLION);
            remainder = current % BILLION;
        }
        groups.push(remainder);
    }
    let mut text = String::new();
    for (index, &group) in groups.iter().rev().enumerate() {
        let start = text.len();
        write_u64(group, &mut text);
        if index > 0 {
            // Inner groups carry their leading zeros.
            let written = text.len() - start;
            text.insert_str(start, &"0".repeat(9 - written));
        }
    }
    if text.is_empty() {
        text.push('0');
    }
    text
}
