//! Step 1: sign `systemUserToken + "." + yyyyMMddHHmm(UTC)` with RSASSA-PKCS1-v1_5 / SHA-256.

use crate::error::{Error, Result};
use crate::key::PrivateKey;
use base64ct::{Base64, Encoding};

/// Longest system user token accepted; real ones are a few dozen characters.
pub const MAX_SYSTEM_USER_TOKEN: usize = 4096;
/// Last minute of year 9999: the timestamp has four year digits.
const MAX_TIME_MS: f64 = 253_402_300_799_999.0;

/// Returns `token.yyyyMMddHHmm.base64(signature)`, ready to send as `SignedSystemToken`.
pub fn sign_token(system_user_token: &str, key: &PrivateKey, now_ms: f64) -> Result<String> {
    if system_user_token.is_empty() {
        return Err(Error::InvalidArgument("systemUserToken must not be empty"));
    }
    if system_user_token.len() > MAX_SYSTEM_USER_TOKEN {
        return Err(Error::InvalidArgument("systemUserToken is too long"));
    }
    if system_user_token.chars().any(char::is_control) {
        return Err(Error::InvalidArgument(
            "systemUserToken contains control characters",
        ));
    }
    let data = format!("{system_user_token}.{}", utc_timestamp(now_ms)?);
    let signature = key.sign_pkcs1v15_sha256(data.as_bytes())?;
    Ok(format!("{data}.{}", Base64::encode_string(&signature)))
}

/// `yyyyMMddHHmm` in UTC for an epoch-milliseconds time.
pub fn utc_timestamp(now_ms: f64) -> Result<String> {
    if !now_ms.is_finite() || !(0.0..=MAX_TIME_MS).contains(&now_ms) {
        return Err(Error::InvalidArgument(
            "now must be a time between 1970 and 9999",
        ));
    }
    // In range and finite, so the conversion is exact enough and cannot overflow.
    let minutes = (now_ms / 60_000.0).floor() as i64;
    let days = minutes.div_euclid(1440);
    let minute_of_day = minutes.rem_euclid(1440);
    let (year, month, day) = civil_from_days(days);
    Ok(format!(
        "{year:04}{month:02}{day:02}{:02}{:02}",
        minute_of_day / 60,
        minute_of_day % 60
    ))
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_match_known_dates() {
        let table: &[(f64, &str)] = &[
            (0.0, "197001010000"),
            (59_999.0, "197001010000"),
            (60_000.0, "197001010001"),
            (951_782_400_000.0, "200002290000"), // leap day in a century leap year
            (1_795_442_700_000.0, "202611231405"),
            (4_133_980_799_999.0, "210012312359"), // 2100 is not a leap year
            (MAX_TIME_MS, "999912312359"),
        ];
        for (ms, expected) in table {
            assert_eq!(utc_timestamp(*ms).as_deref(), Ok(*expected), "{ms}");
        }
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        // Compare against a simple day-by-day walk through the calendar.
        let mut date = (1970_i64, 1_i64, 1_i64);
        for days in 0..146_097 {
            assert_eq!(civil_from_days(days), date);
            let leap = date.0 % 4 == 0 && (date.0 % 100 != 0 || date.0 % 400 == 0);
            let month_len = match date.1 {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            date = if date.2 < month_len {
                (date.0, date.1, date.2 + 1)
            } else if date.1 < 12 {
                (date.0, date.1 + 1, 1)
            } else {
                (date.0 + 1, 1, 1)
            };
        }
    }

    #[test]
    fn refuses_times_outside_the_format() {
        for ms in [-1.0, f64::NAN, f64::INFINITY, MAX_TIME_MS + 1.0] {
            assert_eq!(
                utc_timestamp(ms).map_err(|e| e.code()),
                Err("ERR_INVALID_ARGUMENT")
            );
        }
    }
}
