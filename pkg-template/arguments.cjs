'use strict';
// The one argument module: every entry, pure function or client, checks what JavaScript hands it here,
// so the same value gets the same verdict everywhere and nothing malformed reaches wasm. Wrong types
// become ERR_INVALID_ARGUMENT naming the argument, never quoting its value.
//
// Conventions: a checker takes (value, name) and returns the value to use; options are one object
// whose names are checked against a list (`readOptions`), so a misspelled option is an error in a pure
// function as in a client; an optional argument is absent when undefined or null.

const { invalidArgument } = require('./errors.cjs');
const { OPTION_RANGES } = require('./core/wasm.cjs');

// The core's leeway default and cap (src/limits.rs), which it enforces too.
const { default: DEFAULT_LEEWAY_SECONDS, max: MAX_LEEWAY_SECONDS } = OPTION_RANGES.leewaySeconds;

const isAbsent = (value) => value === undefined || value === null;

/** A string, non-empty unless `allowEmpty`. */
function requireString(value, name, { allowEmpty = false } = {}) {
  if (typeof value !== 'string') throw invalidArgument(`${name} must be a string`);
  if (!allowEmpty && value.length === 0) throw invalidArgument(`${name} must not be empty`);
  return value;
}

/** undefined when absent, else as requireString. */
function optionalString(value, name) {
  return isAbsent(value) ? undefined : requireString(value, name);
}

/** A finite number from `min` to `max` (an integer when `integer`). */
function requireNumber(value, name, { min, max, integer = false }) {
  const ok = integer ? Number.isInteger(value) : typeof value === 'number' && Number.isFinite(value);
  if (!ok || value < min || value > max) {
    throw invalidArgument(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

/** `fallback` when absent, else as requireNumber. */
function optionalNumber(value, name, fallback, bounds) {
  return isAbsent(value) ? fallback : requireNumber(value, name, bounds);
}

/** A function, or `fallback` when absent. */
function optionalFunction(value, name, fallback) {
  if (isAbsent(value)) return fallback;
  if (typeof value !== 'function') throw invalidArgument(`${name} must be a function`);
  return value;
}

/** A boolean, or `fallback` when absent. */
function optionalBoolean(value, name, fallback) {
  if (isAbsent(value)) return fallback;
  if (typeof value !== 'boolean') throw invalidArgument(`${name} must be a boolean`);
  return value;
}

/**
 * An options object: `{}` when absent (unless `required`), refused when not an object or when it
 * names an option not in `known` (a typo such as `timeout` fails instead of running on a default).
 * @param {unknown} options
 * @param {ReadonlySet<string> | readonly string[]} known
 * @param {{ required?: boolean, message?: string, entry?: string }} [how] `message` for a missing or
 *   non-object value; `entry`, the function's name, prefixes the unknown-option message
 * @returns {Record<string, any>}
 */
function readOptions(options, known, { required = false, message = 'options must be an object', entry } = {}) {
  if (options === undefined && !required) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidArgument(message);
  const names = known instanceof Set ? known : new Set(known);
  for (const key of Object.keys(options)) {
    if (!names.has(key)) throw invalidArgument(`${entry ? `${entry}: ` : ''}unknown option ${nameOf(key)}`);
  }
  return options;
}

/**
 * A name (of an option or a parameter) for a message: echoed only when it looks like one, so that a
 * secret pasted where a name belongs stays out of the message.
 */
function nameOf(name) {
  return /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : '(a name that is not an identifier)';
}

/** `now` as epoch milliseconds: a Date, a number, or the current time when absent. */
function toEpochMs(now) {
  if (now === undefined) return Date.now();
  const ms = now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw invalidArgument('now must be a valid Date or epoch milliseconds');
  }
  return ms;
}

/** A clock option: a function returning epoch milliseconds, Date.now when absent. */
function toClock(now) {
  if (isAbsent(now)) return Date.now;
  if (typeof now !== 'function') throw invalidArgument('now must be a function returning epoch milliseconds');
  return now;
}

/** leewaySeconds: an integer from 0 to 3600, 60 when absent. */
function toLeeway(leewaySeconds) {
  return optionalNumber(leewaySeconds, 'leewaySeconds', DEFAULT_LEEWAY_SECONDS, {
    min: 0,
    max: MAX_LEEWAY_SECONDS,
    integer: true,
  });
}

/** leewaySeconds where absent means "the default, applied later": undefined, else as toLeeway. */
function optionalLeeway(leewaySeconds) {
  return isAbsent(leewaySeconds) ? undefined : toLeeway(leewaySeconds);
}

/**
 * A numeric option whose default and range the core states (src/limits.rs: timeoutMs, jwksCooldownMs,
 * ticketTtlSeconds, refreshAheadSeconds, ...); `range` names the core's entry when it differs from
 * the option's name.
 */
function coreRangeOption(value, name, range = name) {
  const { default: fallback, min, max } = OPTION_RANGES[range];
  return optionalNumber(value, name, fallback, { min, max });
}

/** jwksMaxAgeMs of the clients: 10 minutes when absent (as jose's cacheMaxAge), 1 s to 7 days, or Infinity. */
function toJwksMaxAge(value) {
  if (value === Infinity) return Infinity;
  return coreRangeOption(value, 'jwksMaxAgeMs');
}

/** transport: 'soap' (when absent) or 'rest', ASCII case ignored as the core ignores it; lowercase out. */
function toTransport(transport) {
  if (isAbsent(transport)) return 'soap';
  if (typeof transport !== 'string' || !/^(?:soap|rest)$/i.test(transport)) {
    throw invalidArgument("transport must be 'soap' or 'rest'");
  }
  return transport.toLowerCase();
}

/**
 * Exactly one of environment and baseUrl, as `{ environment }` or `{ baseUrl }`; a baseUrl must be an
 * absolute http(s) URL. The core checks the rest (a known environment, no path, no credentials).
 */
function toLocation(environment, baseUrl) {
  const env = optionalString(environment, 'environment');
  const base = optionalString(baseUrl, 'baseUrl');
  if ((env === undefined) === (base === undefined))
    throw invalidArgument('give exactly one of environment and baseUrl');
  if (env !== undefined) return { environment: env };
  let parsed;
  try {
    parsed = new URL(base);
  } catch {
    throw invalidArgument('baseUrl must be an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw invalidArgument('baseUrl must be http: or https:');
  return { baseUrl: base };
}

module.exports = {
  nameOf,
  coreRangeOption,
  DEFAULT_LEEWAY_SECONDS,
  MAX_LEEWAY_SECONDS,
  requireString,
  optionalString,
  requireNumber,
  optionalNumber,
  optionalFunction,
  optionalBoolean,
  readOptions,
  toEpochMs,
  toClock,
  toLeeway,
  optionalLeeway,
  toJwksMaxAge,
  toTransport,
  toLocation,
};
