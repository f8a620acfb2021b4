'use strict';
// Reading an HTTP response handed to a parse function: its headers (plain object or Headers) and its
// body (string or bytes), capped at the core's response limit before it is copied into wasm memory.

const { LIMITS, capped } = require('./wasm.cjs');
const { SuperOfficeAuthError, invalidArgument } = require('../errors.cjs');

function headerValue(headers, name) {
  if (headers === undefined || headers === null) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  if (typeof headers !== 'object') throw invalidArgument('response.headers must be an object or Headers');
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(', ') : String(value);
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bodyText(body) {
  const tooLarge = (length) =>
    capped(
      { length },
      LIMITS.responseBytes,
      'ERR_RESPONSE_TOO_LARGE',
      `response body exceeds the limit of ${LIMITS.responseBytes} bytes`,
      { limit: LIMITS.responseBytes },
    );
  if (typeof body === 'string') {
    tooLarge(body.length);
    return body;
  }
  if (body instanceof Uint8Array) {
    tooLarge(body.byteLength);
    try {
      return utf8.decode(body);
    } catch {
      throw new SuperOfficeAuthError('ERR_RESPONSE_MALFORMED', 'response body is not valid UTF-8');
    }
  }
  throw invalidArgument('response.body must be a string or Uint8Array');
}

/** The parts of an HTTP response a parse function hands the core: status, content type, body text. */
function readResponse(response) {
  if (response === null || typeof response !== 'object') throw invalidArgument('response must be an object');
  const { status } = response;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw invalidArgument('response.status must be an HTTP status code');
  }
  return { status, body: bodyText(response.body), contentType: headerValue(response.headers, 'content-type') };
}

module.exports = { headerValue, bodyText, readResponse };
