//! The defaults and ranges of the package's numeric options, stated once. The core enforces the
//! leeway itself ([`crate::jwt`]); the others are the JS clients' (timeouts, cache lifetimes), which
//! read them from here through the binding's `contract` rather than keeping a copy. The core's size
//! caps live beside the code that enforces them and travel in the same `contract`.

/// An option's default and its accepted range, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub default: u64,
    pub min: u64,
    pub max: u64,
}

/// How long CRM Online keeps a system user ticket alive: 6 hours, counted again from each use
/// ("Tickets have a sliding expiration, meaning each time they are used, the valid time is reset":
/// SuperOfficeDocs/superoffice-docs, docs/api/authentication/tickets/issue-ticket.md). A cache
/// therefore never keeps one longer than this after obtaining it.
pub const TICKET_LIFETIME_SECONDS: u64 = 6 * 60 * 60;

/// Clock leeway for `exp`, `nbf` and `iat`: a minute by default, at most an hour.
pub const LEEWAY_SECONDS: Range = Range {
    default: 60,
    min: 0,
    max: 3600,
};

/// A request to SuperOffice is abandoned after this long.
pub const TIMEOUT_MS: Range = Range {
    default: 10_000,
    min: 1,
    max: 600_000,
};

/// After a token names a key the JWKS lacks, the JWKS is fetched again at most this often.
pub const JWKS_COOLDOWN_MS: Range = Range {
    default: 30_000,
    min: 0,
    max: 24 * 60 * 60 * 1000,
};

/// A fetched JWKS is fetched again once it is this old (jose's `cacheMaxAge` default: 10 minutes; the
/// JS clients also take `Infinity`, never).
pub const JWKS_MAX_AGE_MS: Range = Range {
    default: 10 * 60 * 1000,
    min: 1000,
    max: 7 * 24 * 60 * 60 * 1000,
};

/// A cached ticket is replaced once it is this old; never beyond SuperOffice's own lifetime.
pub const TICKET_TTL_SECONDS: Range = Range {
    default: 5 * 60 * 60,
    min: 1,
    max: TICKET_LIFETIME_SECONDS,
};

/// A ticket is refreshed this long before it would be replaced.
pub const REFRESH_AHEAD_SECONDS: Range = Range {
    default: 5 * 60,
    min: 0,
    max: TICKET_LIFETIME_SECONDS,
};

/// The refresh-token client's `refreshAheadSeconds`: an access token is refreshed this long before it
/// expires; never more than the longest lifetime believed
/// ([`crate::oauth::token::MAX_EXPIRES_IN_SECONDS`]'s day).
pub const ACCESS_TOKEN_REFRESH_AHEAD_SECONDS: Range = Range {
    default: 5 * 60,
    min: 0,
    max: 24 * 60 * 60,
};

/// Every option above under its JS name, in the order the binding hands them out.
pub const OPTIONS: &[(&str, Range)] = &[
    ("leewaySeconds", LEEWAY_SECONDS),
    ("timeoutMs", TIMEOUT_MS),
    ("jwksCooldownMs", JWKS_COOLDOWN_MS),
    ("jwksMaxAgeMs", JWKS_MAX_AGE_MS),
    ("ticketTtlSeconds", TICKET_TTL_SECONDS),
    ("refreshAheadSeconds", REFRESH_AHEAD_SECONDS),
    (
        "accessTokenRefreshAheadSeconds",
        ACCESS_TOKEN_REFRESH_AHEAD_SECONDS,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_in_its_range() {
        for (name, range) in OPTIONS {
            assert!(
                range.min <= range.default && range.default <= range.max,
                "{name}"
            );
        }
        const { assert!(REFRESH_AHEAD_SECONDS.default < TICKET_TTL_SECONDS.default) };
    }
}
