'use strict';
// Redaction of what the caller holds from errors built from server text (issue 19). The core already
// replaces SuperOffice's credential shapes (`7T:` tickets, `8A:` access tokens: a digit, a capital, a
// colon) in a fault string, an ErrorMessage, an ExceptionInfo or an OAuth error_description. A server
// that echoes the application token, the system user token, the client secret or the refresh token it
// was sent would still put them in `err.message` and its fields; the parse functions take the secrets
// the call was given (`redact`) and every client passes its own, so those are replaced too.
//
// The core cuts server text at 512 characters and appends "...": a secret straddling the cut leaves its
// first characters, so a field ending in "..." also loses a trailing piece (4 characters or more) that
// begins one of the secrets.

const SERVER_TEXT_FIELDS = [
  'faultCode',
  'faultString',
  'serverMessage',
  'friendlyText',
  'exceptionType',
  'oauthError',
  'errorDescription',
];
const REDACTED = '[redacted]';
const TRUNCATED = '...';
const MIN_PIECE = 4;

/**
 * `text` with every occurrence of each secret replaced, and first, when the core cut the text ("..."
 * at its end), a trailing piece that begins one of the secrets.
 */
function redactText(text, secrets) {
  let kept = text;
  let tail = '';
  if (text.endsWith(TRUNCATED)) {
    kept = text.slice(0, -TRUNCATED.length);
    tail = TRUNCATED;
    let longest = 0;
    for (const secret of secrets) {
      for (let n = Math.min(secret.length - 1, kept.length); n >= MIN_PIECE && n > longest; n -= 1) {
        if (kept.endsWith(secret.slice(0, n))) longest = n;
      }
    }
    if (longest > 0) kept = `${kept.slice(0, -longest)}${REDACTED}`;
  }
  for (const secret of secrets) kept = kept.split(secret).join(REDACTED);
  return kept + tail;
}

/**
 * Replaces the secrets in a SuperOfficeAuthError's server-text fields and its message, in place (the
 * message is built from those fields, so each field's text is replaced there by its redacted form).
 * Returns the error.
 */
function redactSecrets(error, secrets) {
  // Longest first: one secret can contain another (the signed system user token begins with the token).
  const list = secrets
    .filter((secret) => typeof secret === 'string' && secret !== '')
    .sort((a, b) => b.length - a.length);
  if (list.length === 0 || !error || typeof error !== 'object') return error;
  let message = String(error.message);
  for (const field of SERVER_TEXT_FIELDS) {
    const value = error[field];
    if (typeof value !== 'string') continue;
    const redacted = redactText(value, list);
    if (redacted === value) continue;
    message = message.split(value).join(redacted);
    error[field] = redacted;
  }
  error.message = redactText(message, list);
  return error;
}

module.exports = { redactSecrets, redactText };
