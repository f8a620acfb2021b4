'use strict';
// The wasm core, wrapped: the one place that loads the wasm-bindgen glue. callCore turns the core's
// coded errors into SuperOfficeAuthError; LIMITS are the core's own size caps, read from it.

const wasm = require('../superoffice_auth_wasm.js');
const { SuperOfficeAuthError, invalidArgument } = require('../errors.cjs');
const { redactSecrets } = require('./redact.cjs');

// What the core states once and this layer reads instead of keeping a copy (src/binding/entries.rs,
// `contract`): the error codes, the detail fields an error carries, the size caps, and each numeric
// option's default and range.
const CONTRACT = JSON.parse(wasm.contract());

/** Every error code, in the order the Rust core declares them. */
const ERROR_CODES = Object.freeze(CONTRACT.codes);
const KNOWN_CODES = new Set(ERROR_CODES);
const DETAIL_FIELDS = new Set(CONTRACT.detailFields);

// The core's size caps (UTF-8 bytes), checked here before a string is copied into wasm memory: linear
// memory grows to hold each argument and never shrinks, so one 100 MB response or token would stay
// resident for the life of the process. A string is never shorter in UTF-8 bytes than in UTF-16 code
// units, so a string refused here is one the core would refuse too, with the same code and message.
const LIMITS = Object.freeze(CONTRACT.sizes);

/** `{ leewaySeconds: { default, min, max }, timeoutMs: ..., ... }`: the numeric options' defaults and ranges. */
const OPTION_RANGES = Object.freeze(CONTRACT.options);

/** How long SuperOffice keeps a system user ticket after its last use (src/limits.rs cites the page). */
const TICKET_LIFETIME_MS = CONTRACT.ticketLifetimeSeconds * 1000;

/** Returns `value` (a string, or anything with a length) unless it is longer than `limit`. */
function capped(value, limit, code, message, details) {
  if (value.length > limit) throw new SuperOfficeAuthError(code, message, details);
  return value;
}

const cappedKeyText = (text) => capped(text, LIMITS.keyTextBytes, 'ERR_KEY_INVALID', 'the key text is too long');

/**
 * One entry's options as the JSON text the core decodes. Text crosses into wasm as UTF-8, where a lone
 * UTF-16 surrogate has no form: passed as a string argument, the glue's TextEncoder writes it as U+FFFD,
 * and so does this (JSON.stringify would write an escape that the core's JSON reader refuses).
 */
function coreOptions(options) {
  return JSON.stringify(options, (_key, value) => (typeof value === 'string' ? value.toWellFormed() : value));
}

/**
 * Calls into wasm, turning the core's coded errors into SuperOfficeAuthError; with `secrets` (the
 * parse functions' `redact` option), those are replaced in the error's server text (core/redact.cjs).
 */
function callCore(fn, secrets) {
  try {
    return fn();
  } catch (error) {
    if (error && typeof error === 'object' && KNOWN_CODES.has(error.code)) {
      /** @type {Record<string, unknown>} */
      const details = {};
      // In the order the core set them (each variant's field order).
      for (const field of Object.keys(error)) if (DETAIL_FIELDS.has(field)) details[field] = error[field];
      const mapped = new SuperOfficeAuthError(error.code, error.message, details);
      // V8's (Node, Deno, workerd, Chrome); absent elsewhere, and not in the standard library's types.
      /** @type {{ captureStackTrace?: (error: object, above: Function) => void }} */ (Error).captureStackTrace?.(
        mapped,
        callCore,
      );
      throw secrets ? redactSecrets(mapped, secrets) : mapped;
    }
    throw error;
  } finally {
    // Frames the call left on wasm's stack (in linear memory) can hold what it was given: overwritten
    // now, as freed heap blocks are zeroed by the allocator (src/binding/scrub.rs).
    wasm.scrubStack();
  }
}

/** SHA-256 of the text's UTF-8 bytes, as lowercase hex (the core's sha2: synchronous in every runtime). */
function sha256Hex(text) {
  try {
    return wasm.sha256Hex(text); // the client hashes the application token with it
  } finally {
    wasm.scrubStack();
  }
}

/** The `redact` option of the parse functions: the secrets the call holds, kept out of its errors. */
function redactOption(value) {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((secret) => typeof secret === 'string')) {
    throw invalidArgument('redact must be an array of strings');
  }
  return value;
}

module.exports = {
  wasm,
  ERROR_CODES,
  LIMITS,
  OPTION_RANGES,
  TICKET_LIFETIME_MS,
  capped,
  cappedKeyText,
  callCore,
  coreOptions,
  sha256Hex,
  redactOption,
};
