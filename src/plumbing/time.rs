//! Times in SuperOffice's JSON: RFC 3339 date-times as .NET writes them (seven fraction digits, `Z`
//! or an offset), read into epoch milliseconds. Used by the state API's `ValidUntil`
//! (`crate::tenant`) and a webhook event's `Timestamp` (`crate::callbacks`).

/// An RFC 3339 time (`2026-02-23T09:52:01.9342965Z`, or with `+01:00`) in epoch milliseconds;
/// `None` when it is not one or falls outside 1970..9999. Fraction digits beyond milliseconds are
/// dropped (truncated, never rounded up into the next second).
pub fn parse_rfc3339_ms(text: &str) -> Option<f64> {
    // `YYYY-MM-DDTHH:MM:SS` is 19 bytes; der reads it (with `Z`) and does the calendar.
    let seconds = text.get(..19)?;
    let mut rest = text.get(19..)?;
    let mut millis = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        for (i, digit) in fraction.bytes().take(3).enumerate() {
            if i < digits {
                millis += u32::from(digit - b'0') * [100, 10, 1][i];
            }
        }
        rest = &fraction[digits..];
    }
    let offset_minutes: i64 = match rest.as_bytes() {
        [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digit = |b: &u8| b.is_ascii_digit().then(|| i64::from(b - b'0'));
            let hours = digit(h1)? * 10 + digit(h2)?;
            let minutes = digit(m1)? * 10 + digit(m2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = hours * 60 + minutes;
            if *sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return None,
    };
    let local = format!("{seconds}Z").parse::<der::DateTime>().ok()?;
    let local_seconds = i64::try_from(local.unix_duration().as_secs()).ok()?;
    let utc_seconds = local_seconds - offset_minutes * 60;
    if utc_seconds < 0 {
        return None;
    }
    // Whole seconds before year 10000 and a millisecond part: exact in an f64.
    #[allow(clippy::cast_precision_loss)]
    Some(utc_seconds as f64 * 1000.0 + f64::from(millis))
}
