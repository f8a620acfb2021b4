'use strict';
// Retry-After (RFC 9110, section 10.2.3): either a number of seconds or an HTTP date. SuperOffice's
// answers carry it on 429 (rate limited) and may on 503 (unavailable); the clients make the whole
// fleet wait at least that long before the tenant's next exchange.
//
// Decisions:
// - A value that is neither form is ignored (null), not an error: the answer's status still counts.
// - A wait is bounded to MAX_RETRY_AFTER_MS (an hour): a broken or hostile header must not stop a
//   tenant for days; after the hour the next exchange asks again, and is told again if need be.
// - A date in the past is a wait of 0.

const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;
// delta-seconds is 1*DIGIT; more than 10 digits is past any bound we keep anyway.
const SECONDS = /^\d{1,10}$/;
// IMF-fixdate, the form HTTP senders must use (rfc850 and asctime dates are obsolete): Date.parse
// reads it in every runtime; anything else it might accept is not trusted.
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * The wait a Retry-After value asks for, in milliseconds from `now` (epoch ms), bounded to an hour;
 * null when there is no usable value.
 */
function parseRetryAfter(value, now) {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (SECONDS.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  if (IMF_FIXDATE.test(text)) {
    const at = Date.parse(text);
    if (!Number.isFinite(at)) return null;
    return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
  }
  return null;
}

/** The Retry-After header of a response-like `{ headers }` (a Headers or a plain lower-cased object). */
function retryAfterOf(res, now) {
  const headers = res?.headers;
  if (!headers) return null;
  const value = typeof headers.get === 'function' ? headers.get('retry-after') : headers['retry-after'];
  return parseRetryAfter(value ?? undefined, now);
}

module.exports = { parseRetryAfter, retryAfterOf, MAX_RETRY_AFTER_MS };
