'use strict';
// Argument checks shared by the package's modules: wrong types from JavaScript become
// ERR_INVALID_ARGUMENT here, before anything reaches wasm.

const { invalidArgument } = require('./errors.cjs');
const { OPTION_RANGES } = require('./core/wasm.cjs');

// The core's leeway default and cap (src/limits.rs), which it enforces too.
const { default: DEFAULT_LEEWAY_SECONDS, max: MAX_LEEWAY_SECONDS } = OPTION_RANGES.leewaySeconds;

function requireString(value, name, { allowEmpty = false } = {}) {
  if (typeof value !== 'string') throw invalidArgument(`${name} must be a string`);
  if (!allowEmpty && value.length === 0) throw invalidArgument(`${name} must not be empty`);
  return value;
}

function optionalString(value, name) {
  return value === undefined || value === null ? undefined : requireString(value, name);
}

function requireOptions(options, name) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw invalidArgument(`${name} must be an object`);
  return options;
}

/** `now` as epoch milliseconds: a Date, a number, or the current time when omitted. */
function toEpochMs(now) {
  if (now === undefined) return Date.now();
  const ms = now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw invalidArgument('now must be a valid Date or epoch milliseconds');
  }
  return ms;
}

function toLeeway(leewaySeconds) {
  if (leewaySeconds === undefined) return DEFAULT_LEEWAY_SECONDS;
  if (!Number.isInteger(leewaySeconds) || leewaySeconds < 0 || leewaySeconds > MAX_LEEWAY_SECONDS) {
    throw invalidArgument(`leewaySeconds must be an integer from 0 to ${MAX_LEEWAY_SECONDS}`);
  }
  return leewaySeconds;
}

module.exports = { requireString, optionalString, requireOptions, toEpochMs, toLeeway };
