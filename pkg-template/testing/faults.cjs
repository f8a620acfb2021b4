'use strict';
// The faults the stand-in can inject, and the list of those waiting for a request. A fault applies at
// an endpoint (a door's endpoint name, a door's group such as 'authenticate', or 'any') and optionally
// only for one tenant, `times` times.

// Every fault the stand-in can inject. `endpoint` says where a fault applies by default.
const FAULTS = {
  latency: 'delay the response by `ms` milliseconds',
  httpError: 'answer with HTTP `status` (default 500) and a plain-text body (with `retryAfter`: a Retry-After header)',
  soapFault: 'answer HTTP 500 with a SOAP 1.1 Fault (s:Client / `faultString`)',
  malformed: 'answer 200 with a truncated body (broken XML for SOAP, broken JSON for REST and JWKS)',
  expiredJwt: 'issue a JWT whose exp lies `ageSeconds` (default 3600) in the past',
  badSignature: 'sign the JWT with a key that is not in the JWKS, under the current kid',
  deny: "answer IsSuccessful=false with `reason` (one of SuperOffice's AuthorizeErrorCode names); at the authorize endpoint, redirect with error=access_denied (the person declined)",
  noTicket: 'issue a valid JWT that carries no ticket claim',
  drop: 'destroy the connection without answering',
  redirect: 'answer 302 to another path',
  rateLimit:
    'answer 429 Too Many Requests with Retry-After: `retryAfter` seconds (default 30), or an HTTP date with `retryAfterDate`; at the exchange by default, or at a tenant endpoint (api, netserver)',
  ticketRejected:
    'refuse the ticket as if revoked: a SOAP agent answers ExceptionInfo SoSessionException (HTTP 200, Succeeded false), a REST agent and the tenant API 401',
  agentException:
    'fail the agent call with `exceptionType` (default ArgumentException) and `message`: a SOAP agent answers ExceptionInfo (HTTP 200, Succeeded false), a REST agent 500 with an error object (ExceptionType, ExceptionMessage, and a stack trace)',
};

// Where a fault applies when the caller names no endpoint.
function defaultEndpoint(type) {
  if (type === 'latency' || type === 'httpError' || type === 'drop' || type === 'redirect') return 'any';
  return type === 'ticketRejected' || type === 'agentException' ? 'agents' : 'authenticate';
}

/**
 * @param {string[]} endpoints every name a fault may be injected at, in the order errors list them
 * @param {(endpoint: string) => string | undefined} groupOf the group an endpoint belongs to
 * @param {(fault: object) => void} prepare work a fault needs before its request arrives
 */
function createFaults({ endpoints, groupOf, prepare }) {
  let faults = [];
  return {
    /**
     * Inject a fault. `type` is one of FAULTS; it applies to `times` requests (default: until cleared)
     * at `endpoint` (default 'authenticate', i.e. SOAP and REST), optionally only for one tenant.
     * Returns a function that removes it.
     */
    inject(
      type,
      {
        times = Infinity,
        endpoint,
        contextIdentifier,
        ms,
        status = 500,
        reason = 'Denied',
        ageSeconds = 3600,
        faultString = 'The creator of this fault did not specify a Reason.',
        retryAfter = type === 'rateLimit' ? 30 : undefined,
        retryAfterDate = false,
        exceptionType = 'ArgumentException',
        message = 'Unknown ticket id 5',
      } = {},
    ) {
      if (!Object.hasOwn(FAULTS, type))
        throw new TypeError(`unknown fault ${type}; known: ${Object.keys(FAULTS).join(', ')}`);
      const where = endpoint ?? defaultEndpoint(type);
      if (!endpoints.includes(where)) throw new TypeError(`unknown endpoint ${where}; known: ${endpoints.join(', ')}`);
      if (type === 'latency' && !(Number.isFinite(ms) && ms >= 0)) throw new TypeError('latency needs ms >= 0');
      if (!(times > 0)) throw new TypeError('times must be positive');
      if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && retryAfter >= 0)) {
        throw new TypeError('retryAfter must be an integer number of seconds >= 0');
      }
      if (typeof retryAfterDate !== 'boolean') throw new TypeError('retryAfterDate must be a boolean');
      const fault = {
        type,
        endpoint: where,
        contextIdentifier,
        remaining: times,
        ms,
        status,
        reason,
        ageSeconds,
        faultString,
        retryAfter,
        retryAfterDate,
        exceptionType,
        message,
      };
      prepare(fault);
      faults.push(fault);
      return () => {
        faults = faults.filter((f) => f !== fault);
      };
    },
    clear() {
      faults = [];
    },
    /** The faults that apply to this request, each counted down once. */
    take(endpoint, contextIdentifier) {
      const hit = [];
      for (const f of faults) {
        if (f.remaining <= 0) continue;
        const where = f.endpoint === 'any' || f.endpoint === endpoint || f.endpoint === groupOf(endpoint);
        if (!where) continue;
        if (f.contextIdentifier !== undefined && f.contextIdentifier !== contextIdentifier) continue;
        f.remaining -= 1;
        hit.push(f);
      }
      faults = faults.filter((f) => f.remaining > 0);
      return hit;
    },
  };
}

module.exports = { FAULTS, createFaults };
