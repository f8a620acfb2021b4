'use strict';
// The record a ticket is cached as: plain JSON (numbers for times), so any store can hold it; read back
// as untrusted; revived into the result callers get.

const { INSPECT } = require('../inspect.cjs');

// 2: records carry `mac`, the client's authentication tag (record-seal.cjs). A version-1 record (from
// an older release) is a miss, so the first lookup after an upgrade exchanges once.
const RECORD_VERSION = 2;
// Clocks differ between processes: a record from a little in the future is still accepted.
const MAX_FUTURE_SKEW_MS = 5 * 60_000;
const MAX_TICKET_LENGTH = 4096;

// What goes into the cache: plain JSON (numbers for times), so any store can hold it.
function toRecord(result, obtainedAt) {
  const expiresAt = result.expiresAt instanceof Date ? result.expiresAt.getTime() : Number(result.expiresAt);
  return {
    v: RECORD_VERSION,
    ticket: result.ticket,
    contextIdentifier: result.contextIdentifier,
    serial: result.serial,
    netserverUrl: result.netserverUrl,
    webapiUrl: result.webapiUrl,
    isAdministrator: result.isAdministrator,
    expiresAt,
    claims: result.claims,
    obtainedAt,
  };
}

const isText = (value) => typeof value === 'string';
const isTextOrNull = (value) => value === null || typeof value === 'string';

/**
 * A store may hand back anything (an older format, another program's value, another tenant's record,
 * a value tampered with): whatever is not a well-formed record of this tenant, still usable now, is a
 * miss. The ticket ends up in an HTTP header, so it must be a single printable token.
 */
function readRecord(value, contextIdentifier, t, usableUntil) {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value.v !== RECORD_VERSION) return null;
  if (typeof value.mac !== 'string') return null;
  const { ticket, obtainedAt, expiresAt, claims } = value;
  if (!isText(ticket) || ticket.length === 0 || ticket.length > MAX_TICKET_LENGTH || !/^[\x21-\x7e]+$/.test(ticket))
    return null;
  if (value.contextIdentifier !== contextIdentifier) return null;
  if (!Number.isFinite(obtainedAt) || !Number.isFinite(expiresAt)) return null;
  if (!isText(value.serial) || !isTextOrNull(value.netserverUrl) || !isTextOrNull(value.webapiUrl)) return null;
  if (typeof value.isAdministrator !== 'boolean') return null;
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return null;
  // usedAt (a proven use, ticket-use.cjs) is optional; one before it was obtained or from the future
  // (a tampered value would keep a ticket forever) is refused.
  if (
    value.usedAt !== undefined &&
    (!Number.isFinite(value.usedAt) || value.usedAt < obtainedAt || value.usedAt > t + MAX_FUTURE_SKEW_MS)
  )
    return null;
  if (obtainedAt > t + MAX_FUTURE_SKEW_MS || t >= usableUntil(value)) return null;
  return value;
}

// Like the core's results: console.log and util.inspect show no ticket or claims; JSON.stringify, an
// explicit request for the data, still gives everything.
function inspectResult() {
  const { ticket, claims, ...rest } = this;
  return { ...rest, ticket: ticket ? '[redacted]' : ticket, claims: '[claims redacted]' };
}

// Each caller gets its own object, so one caller mutating a result cannot affect another.
function reviveRecord(record) {
  const result = {
    ticket: record.ticket,
    contextIdentifier: record.contextIdentifier,
    serial: record.serial,
    netserverUrl: record.netserverUrl,
    webapiUrl: record.webapiUrl,
    isAdministrator: record.isAdministrator,
    expiresAt: new Date(record.expiresAt),
    claims: structuredClone(record.claims),
    obtainedAt: new Date(record.obtainedAt),
  };
  Object.defineProperty(result, INSPECT, { value: inspectResult });
  return result;
}

module.exports = { toRecord, readRecord, reviveRecord };
