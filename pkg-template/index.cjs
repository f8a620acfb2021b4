'use strict';
// The package's JavaScript face. It checks argument types (so nothing malformed reaches wasm),
// turns times into epoch milliseconds and back into Dates, and maps the core's errors onto
// SuperOfficeAuthError. Everything else happens in Rust.

const util = require('node:util');
const wasm = require('./superoffice_auth_wasm.js');
const { SuperOfficeAuthError, invalidArgument } = require('./errors.cjs');
const { requireString, optionalString, requireOptions, toEpochMs, toLeeway } = require('./arguments.cjs');
const { redactSecrets } = require('./redact.cjs');

/** Every error code, in the order the Rust core declares them. */
const ERROR_CODES = Object.freeze(JSON.parse(wasm.errorCodes()));
const KNOWN_CODES = new Set(ERROR_CODES);
const DETAIL_FIELDS = [
  'claim', 'faultCode', 'faultString', 'serverMessage', 'reason', 'status', 'bits', 'limit', 'oauthError', 'errorDescription',
  'exceptionType', 'friendlyText',
];

// The core's size caps (UTF-8 bytes), checked here before a string is copied into wasm memory: linear
// memory grows to hold each argument and never shrinks, so one 100 MB response or token would stay
// resident for the life of the process. A string is never shorter in UTF-8 bytes than in UTF-16 code
// units, so a string refused here is one the core would refuse too, with the same code and message.
const LIMITS = Object.freeze(JSON.parse(wasm.sizeLimits()));

/** Returns `value` (a string, or anything with a length) unless it is longer than `limit`. */
function capped(value, limit, code, message, details) {
  if (value.length > limit) throw new SuperOfficeAuthError(code, message, details);
  return value;
}

const cappedKeyText = (text) => capped(text, LIMITS.keyTextBytes, 'ERR_KEY_INVALID', 'the key text is too long');

/** Calls into wasm, turning the core's coded errors into SuperOfficeAuthError. */
function callCore(fn, secrets) {
  try {
    return fn();
  } catch (error) {
    if (error && typeof error === 'object' && KNOWN_CODES.has(error.code)) {
      const details = {};
      for (const field of DETAIL_FIELDS) details[field] = error[field];
      const mapped = new SuperOfficeAuthError(error.code, error.message, details);
      Error.captureStackTrace?.(mapped, callCore);
      throw secrets ? redactSecrets(mapped, secrets) : mapped;
    }
    throw error;
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

const CONSTRUCT = Symbol('construct');

/** A parsed RSA private key. Parse once, reuse; the key material stays inside wasm memory. */
class PrivateKey {
  #handle;

  constructor(token, handle) {
    if (token !== CONSTRUCT) throw new TypeError('use PrivateKey.parse(text)');
    this.#handle = handle;
  }

  /** PEM PKCS#1, PEM PKCS#8 or SuperOffice's .NET `<RSAKeyValue>` XML. */
  static parse(text) {
    requireString(text, 'privateKey');
    cappedKeyText(text);
    return new PrivateKey(CONSTRUCT, callCore(() => wasm.WasmPrivateKey.parse(text)));
  }

  get bits() {
    return this.#handle.bits;
  }

  toPem(format = 'pkcs8') {
    if (format !== 'pkcs8' && format !== 'pkcs1') throw invalidArgument("format must be 'pkcs8' or 'pkcs1'");
    return callCore(() => this.#handle.toPem(format));
  }

  toXml() {
    return callCore(() => this.#handle.toXml());
  }

  /** @internal */
  static signWith(key, systemUserToken, nowMs) {
    return callCore(() => key.#handle.signToken(systemUserToken, nowMs));
  }

  toJSON() {
    return { type: 'PrivateKey', bits: this.bits };
  }

  [util.inspect.custom]() {
    return `PrivateKey <RSA ${this.bits} bits>`;
  }
}

/** Verification keys: a JWKS (text or object), PEM certificates or an SPKI public key. */
class KeySet {
  #handle;

  constructor(token, handle) {
    if (token !== CONSTRUCT) throw new TypeError('use KeySet.from(keys)');
    this.#handle = handle;
  }

  static from(keys) {
    if (keys instanceof KeySet) return keys;
    const text = capped(keySetText(keys), LIMITS.keySetTextBytes, 'ERR_KEYSET_INVALID', 'the key set text is over 1 MiB');
    return new KeySet(CONSTRUCT, callCore(() => wasm.WasmKeySet.parse(text)));
  }

  get size() {
    return this.#handle.size;
  }

  /** @internal */
  static handle(keySet) {
    return keySet.#handle;
  }

  /** @internal Frees the wasm side now, for key sets the package made itself and no caller holds. */
  static release(keySet) {
    keySet.#handle.free();
  }

  [util.inspect.custom]() {
    return `KeySet <${this.size} key${this.size === 1 ? '' : 's'}>`;
  }
}

function keySetText(keys) {
  if (typeof keys === 'string') return requireString(keys, 'keys');
  if (Array.isArray(keys) && keys.length > 0 && keys.every((item) => typeof item === 'string')) {
    return keys.join('\n');
  }
  if (keys !== null && typeof keys === 'object' && !Array.isArray(keys) && Array.isArray(keys.keys)) {
    return JSON.stringify(keys);
  }
  throw invalidArgument('keys must be a JWKS (string or object), PEM text, an array of PEM strings or a KeySet');
}

// Key sets given as text are usually the same few strings over and over (a pinned certificate, a
// cached JWKS); parse each once. They are public keys, so keeping them costs no secrecy. Key sets the
// package makes for itself (evicted cache entries, one-off JWKS objects and PEM arrays) are freed as
// soon as they are done with rather than left to the garbage collector, so wasm memory stays flat.
const keySetCache = new Map();
const KEY_SET_CACHE_SIZE = 16;

function withKeySet(keys, use) {
  if (keys === undefined) throw invalidArgument('keys is required');
  if (keys instanceof KeySet) return use(keys);
  if (typeof keys !== 'string') {
    const temporary = KeySet.from(keys);
    try {
      return use(temporary);
    } finally {
      KeySet.release(temporary);
    }
  }
  let keySet = keySetCache.get(keys);
  if (!keySet) {
    keySet = KeySet.from(keys);
    if (keySetCache.size >= KEY_SET_CACHE_SIZE) {
      const [oldest, evicted] = keySetCache.entries().next().value;
      keySetCache.delete(oldest);
      KeySet.release(evicted);
    }
    keySetCache.set(keys, keySet);
  }
  return use(keySet);
}

/** Signs `systemUserToken.yyyyMMddHHmm` (UTC) and returns `token.timestamp.base64(signature)`. */
function signToken(systemUserToken, privateKey, options) {
  requireString(systemUserToken, 'systemUserToken');
  const nowMs = toEpochMs(requireOptions(options, 'options').now);
  if (privateKey instanceof PrivateKey) return PrivateKey.signWith(privateKey, systemUserToken, nowMs);
  requireString(privateKey, 'privateKey');
  cappedKeyText(privateKey);
  return callCore(() => wasm.signTokenWithText(systemUserToken, privateKey, nowMs));
}

/** The PartnerSystemUserService request, ready for `fetch(url, { method, headers, body })`. */
function buildTicketRequest(params) {
  if (params === null || typeof params !== 'object') throw invalidArgument('buildTicketRequest needs an object');
  const environment = optionalString(params.environment, 'environment');
  const baseUrl = optionalString(params.baseUrl, 'baseUrl');
  const transport = params.transport === undefined ? 'soap' : params.transport;
  if (transport !== 'soap' && transport !== 'rest') throw invalidArgument("transport must be 'soap' or 'rest'");
  requireString(params.applicationToken, 'applicationToken');
  requireString(params.contextIdentifier, 'contextIdentifier');
  requireString(params.signedSystemToken, 'signedSystemToken');
  const json = callCore(() =>
    wasm.buildTicketRequest(
      environment,
      baseUrl,
      transport,
      params.applicationToken,
      params.contextIdentifier,
      params.signedSystemToken,
    ),
  );
  return JSON.parse(json);
}

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
  const tooLarge = (length) => capped({ length }, LIMITS.responseBytes, 'ERR_RESPONSE_TOO_LARGE',
    `response body exceeds the limit of ${LIMITS.responseBytes} bytes`, { limit: LIMITS.responseBytes });
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

// Ticket results print without their credentials (console.log, util.inspect), yet serialise in
// full with JSON.stringify, which is an explicit request for the data.
function inspectTicketResult() {
  const { ticket, claims, ...rest } = this;
  return { ...rest, ticket: ticket ? '[redacted]' : ticket, claims: '[claims redacted]' };
}

/** Parses the service's SOAP or REST response, validates the JWT and extracts the ticket. */
function parseTicketResponse(response, options) {
  if (response === null || typeof response !== 'object') throw invalidArgument('response must be an object');
  const { status } = response;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw invalidArgument('response.status must be an HTTP status code');
  }
  const body = bodyText(response.body);
  const contentType = headerValue(response.headers, 'content-type');
  options = requireOptions(options, 'options');
  const nowMs = toEpochMs(options.now);
  const leeway = toLeeway(options.leewaySeconds);
  const context = optionalString(options.contextIdentifier, 'contextIdentifier');
  const secrets = redactOption(options.redact);
  const json = withKeySet(options.keys, (keySet) =>
    callCore(() =>
      wasm.parseTicketResponse(status, contentType, body, KeySet.handle(keySet), nowMs, leeway, context),
    secrets),
  );
  const result = JSON.parse(json);
  result.expiresAt = new Date(result.expiresAt);
  Object.defineProperty(result, util.inspect.custom, { value: inspectTicketResult });
  return result;
}

/** Validates any RS256 JWT and returns its claims. */
function validateToken(jwt, options) {
  requireString(jwt, 'jwt');
  capped(jwt, LIMITS.tokenBytes, 'ERR_JWT_MALFORMED', 'JWT exceeds 16 KiB');
  options = requireOptions(options, 'options');
  const nowMs = toEpochMs(options.now);
  const leeway = toLeeway(options.leewaySeconds);
  const issuer = optionalString(options.issuer, 'issuer');
  const audience = optionalString(options.audience, 'audience');
  const nonce = optionalString(options.nonce, 'nonce');
  const json = withKeySet(options.keys, (keySet) =>
    callCore(() => wasm.validateToken(jwt, KeySet.handle(keySet), nowMs, leeway, issuer, audience, nonce)),
  );
  return JSON.parse(json);
}

const SYSTEM_TOKEN_CLAIM = 'http://schemes.superoffice.net/identity/system_token';

// SuperIdToken results print without the system user token (the one secret they carry, in
// `systemUserToken` and in the system_token claim); JSON.stringify still gives everything.
function inspectSuperIdResult() {
  const { systemUserToken, claims, ...rest } = this;
  const shownClaims = claims && typeof claims === 'object' ? { ...claims } : claims;
  if (shownClaims && typeof shownClaims[SYSTEM_TOKEN_CLAIM] === 'string') shownClaims[SYSTEM_TOKEN_CLAIM] = '[redacted]';
  return { ...rest, systemUserToken: systemUserToken ? '[redacted]' : systemUserToken, claims: shownClaims };
}

function reviveSuperId(result) {
  Object.defineProperty(result, util.inspect.custom, { value: inspectSuperIdResult });
  return result;
}

/** `environment` or `issuer`, both optional strings here; the core insists on exactly one. */
function issuerArguments(options) {
  return [optionalString(options.environment, 'environment'), optionalString(options.issuer, 'issuer')];
}

/**
 * Validates a SuperIdToken (the OpenID Connect id_token SuperOffice sends when a user signs in or an
 * administrator approves the application) and returns its typed claims.
 */
function parseSuperIdToken(idToken, options) {
  requireString(idToken, 'idToken');
  if (options === null || typeof options !== 'object') throw invalidArgument('parseSuperIdToken needs an options object');
  if (options.keys === undefined) throw invalidArgument('keys is required');
  const [environment, issuer] = issuerArguments(options);
  requireString(options.clientId, 'clientId');
  const nonce = optionalString(options.nonce, 'nonce');
  const nowMs = toEpochMs(options.now);
  const leeway = toLeeway(options.leewaySeconds);
  capped(idToken, LIMITS.tokenBytes, 'ERR_JWT_MALFORMED', 'JWT exceeds 16 KiB');
  const json = withKeySet(options.keys, (keySet) =>
    callCore(() =>
      wasm.parseSuperIdToken(idToken, KeySet.handle(keySet), environment, issuer, options.clientId, nonce, nowMs, leeway),
    ),
  );
  return reviveSuperId(JSON.parse(json));
}

// The refresh request's body holds the client secret and the refresh token: it prints redacted.
function inspectRefreshRequest() {
  const { body, ...rest } = this;
  return { ...rest, body: '[redacted: holds client_secret and refresh_token]' };
}

/** The refresh-token grant: a form POST to `{host}/login/common/oauth/tokens`, ready for fetch. */
function buildRefreshTokenRequest(params) {
  if (params === null || typeof params !== 'object') throw invalidArgument('buildRefreshTokenRequest needs an object');
  const environment = optionalString(params.environment, 'environment');
  const baseUrl = optionalString(params.baseUrl, 'baseUrl');
  requireString(params.clientId, 'clientId');
  requireString(params.clientSecret, 'clientSecret');
  requireString(params.refreshToken, 'refreshToken');
  const redirectUri = optionalString(params.redirectUri, 'redirectUri');
  const json = callCore(() =>
    wasm.buildRefreshTokenRequest(environment, baseUrl, params.clientId, params.clientSecret, params.refreshToken, redirectUri),
  );
  const request = JSON.parse(json);
  Object.defineProperty(request, util.inspect.custom, { value: inspectRefreshRequest });
  return request;
}

function inspectTokenResult() {
  const { accessToken, refreshToken, idToken, ...rest } = this;
  return {
    ...rest,
    accessToken: accessToken ? '[redacted]' : accessToken,
    refreshToken: refreshToken ? '[redacted]' : refreshToken,
    idToken,
  };
}

const ID_TOKEN_OPTIONS = ['environment', 'issuer', 'clientId', 'nonce', 'leewaySeconds'];

/**
 * Reads the token endpoint's answer. With `keys`, an id_token in it is validated as a SuperIdToken and
 * returned as `idToken`; without, `idToken` is null (its claims are never handed out unvalidated).
 */
function parseTokenResponse(response, options) {
  if (response === null || typeof response !== 'object') throw invalidArgument('response must be an object');
  const { status } = response;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw invalidArgument('response.status must be an HTTP status code');
  }
  const body = bodyText(response.body);
  const contentType = headerValue(response.headers, 'content-type');
  options = requireOptions(options, 'options');
  const nowMs = toEpochMs(options.now);
  const secrets = redactOption(options.redact);
  let json;
  if (options.keys === undefined) {
    // Options that only mean something for id_token validation would otherwise be ignored in silence:
    // a caller passing a nonce believes it is checked.
    const stray = ID_TOKEN_OPTIONS.find((name) => options[name] !== undefined);
    if (stray) throw invalidArgument(`${stray} applies to id_token validation, which needs keys`);
    json = callCore(() => wasm.parseTokenResponse(status, contentType, body, nowMs), secrets);
  } else {
    const [environment, issuer] = issuerArguments(options);
    requireString(options.clientId, 'clientId');
    const nonce = optionalString(options.nonce, 'nonce');
    const leeway = toLeeway(options.leewaySeconds);
    json = withKeySet(options.keys, (keySet) =>
      callCore(() =>
        wasm.parseTokenResponseWithIdToken(
          status, contentType, body, nowMs, KeySet.handle(keySet), environment, issuer, options.clientId, nonce, leeway,
        ),
      secrets),
    );
  }
  const result = JSON.parse(json);
  result.expiresAt = new Date(result.expiresAt);
  if (result.idToken) reviveSuperId(result.idToken);
  Object.defineProperty(result, util.inspect.custom, { value: inspectTokenResult });
  return result;
}

// ---- the authorization request, the redirect, the code exchange ----

const RESPONSE_TYPES = new Set(['code', 'id_token']);
const RESPONSE_MODES = new Set(['query', 'fragment', 'form_post']);

// The code verifier is what makes a stolen code useless: it prints redacted. state and nonce are sent
// through the browser anyway.
function inspectAuthorizationRequest() {
  const { codeVerifier, ...rest } = this;
  return { ...rest, codeVerifier: codeVerifier ? '[redacted]' : codeVerifier };
}

/**
 * The URL to send a person's browser to (`{host}/login/common/oauth/authorize`), with fresh `state`,
 * `nonce` and, for `responseType: 'code'`, a PKCE S256 verifier. Keep `state`, `nonce` and
 * `codeVerifier` (server side, e.g. in the session) until the redirect comes back.
 */
function createAuthorizationRequest(params) {
  if (params === null || typeof params !== 'object') throw invalidArgument('createAuthorizationRequest needs an object');
  const environment = optionalString(params.environment, 'environment');
  const baseUrl = optionalString(params.baseUrl, 'baseUrl');
  requireString(params.clientId, 'clientId');
  requireString(params.redirectUri, 'redirectUri');
  const responseType = params.responseType === undefined ? 'code' : params.responseType;
  if (!RESPONSE_TYPES.has(responseType)) throw invalidArgument("responseType must be 'code' or 'id_token'");
  const responseMode = optionalString(params.responseMode, 'responseMode');
  if (responseMode !== undefined && !RESPONSE_MODES.has(responseMode)) {
    throw invalidArgument("responseMode must be 'query', 'fragment' or 'form_post'");
  }
  const json = callCore(() =>
    wasm.createAuthorizationRequest(
      environment,
      baseUrl,
      params.clientId,
      params.redirectUri,
      responseType,
      optionalString(params.scope, 'scope'),
      responseMode,
      optionalString(params.prompt, 'prompt'),
      optionalString(params.loginHint, 'loginHint'),
      optionalString(params.contextIdentifier, 'contextIdentifier'),
      optionalString(params.codeChallengeMethod, 'codeChallengeMethod'),
    ),
  );
  const request = JSON.parse(json);
  Object.defineProperty(request, util.inspect.custom, { value: inspectAuthorizationRequest });
  return request;
}

/**
 * What arrived at the redirect URL, as form-encoded text. Accepts a query string (`?` optional), a
 * fragment (`#...`), a form_post body as text, a URLSearchParams, a URL (its query, else its fragment), or a parsed form body (a
 * plain object of strings, as body parsers give it; an array value means a repeated name).
 */
function redirectParameters(params) {
  if (typeof params === 'string') return params;
  if (params instanceof URLSearchParams) return params.toString();
  // A URL's query, or its fragment when the query is empty (response_mode fragment).
  if (params instanceof URL) return params.search || params.hash;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw invalidArgument('params must be a query string, a URLSearchParams, a URL or a parsed form body');
  }
  const pairs = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item !== 'string') throw invalidArgument('the form body\'s values must be strings');
      pairs.push([name, item]);
    }
  }
  // The platform's own encoder writes what the core then decodes: no second encoder of ours.
  return new URLSearchParams(pairs).toString();
}

/**
 * Checks `state` (ERR_STATE_MISMATCH) and an OAuth error (ERR_OAUTH_ERROR with `oauthError`, e.g.
 * `access_denied`), then returns `{ code }` (code flow) or `{ idToken }` (approval; still to be
 * validated, e.g. by onboardTenant or parseSuperIdToken).
 */
function parseAuthorizationResponse(params, options) {
  const text = redirectParameters(params);
  capped(text, LIMITS.responseBytes, 'ERR_RESPONSE_TOO_LARGE', `response body exceeds the limit of ${LIMITS.responseBytes} bytes`, { limit: LIMITS.responseBytes });
  if (options === null || typeof options !== 'object') throw invalidArgument('parseAuthorizationResponse needs { state }');
  requireString(options.state, 'state');
  const result = JSON.parse(callCore(() => wasm.parseAuthorizationResponse(text, options.state)));
  const out = {};
  if (result.code !== null) out.code = result.code;
  if (result.idToken !== null) out.idToken = result.idToken;
  return out;
}

// The code exchange's body holds the client secret, the code and its verifier: it prints redacted.
function inspectCodeRequest() {
  const { body, ...rest } = this;
  return { ...rest, body: '[redacted: holds client_secret, code and code_verifier]' };
}

/** The authorization code grant: a form POST to `{host}/login/common/oauth/tokens`, ready for fetch. */
function buildAuthorizationCodeRequest(params) {
  if (params === null || typeof params !== 'object') throw invalidArgument('buildAuthorizationCodeRequest needs an object');
  const environment = optionalString(params.environment, 'environment');
  const baseUrl = optionalString(params.baseUrl, 'baseUrl');
  requireString(params.clientId, 'clientId');
  requireString(params.clientSecret, 'clientSecret');
  requireString(params.code, 'code');
  requireString(params.redirectUri, 'redirectUri');
  requireString(params.codeVerifier, 'codeVerifier');
  const json = callCore(() =>
    wasm.buildAuthorizationCodeRequest(
      environment, baseUrl, params.clientId, params.clientSecret, params.code, params.redirectUri, params.codeVerifier,
    ),
  );
  const request = JSON.parse(json);
  Object.defineProperty(request, util.inspect.custom, { value: inspectCodeRequest });
  return request;
}

const HEADER_UNSAFE = /[\r\n\0]/;

/** The two headers a tenant API call needs. */
function authHeaders(ticket, applicationToken) {
  requireString(ticket, 'ticket');
  requireString(applicationToken, 'applicationToken');
  if (HEADER_UNSAFE.test(ticket) || HEADER_UNSAFE.test(applicationToken)) {
    throw invalidArgument('ticket and applicationToken must not contain line breaks');
  }
  return { Authorization: `SOTicket ${ticket}`, 'SO-AppToken': applicationToken };
}

// ---- NetServer SOAP agents ----

const isPlainObject = (value) => {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

function typeName(value) {
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object') return typeof value;
  return value.constructor && typeof value.constructor.name === 'string' ? value.constructor.name : 'object';
}

/**
 * The parameters as JSON text for the core: Dates become ISO 8601 UTC strings; every other value must
 * be what JSON carries exactly (finite numbers, strings, booleans, null, plain objects, dense arrays).
 * Anything JSON.stringify would drop or bend in silence (undefined, functions, NaN, Map, Buffer, class
 * instances, cycles) is refused, naming the parameter's path, never its value.
 */
function agentParametersJson(parameters) {
  if (parameters === undefined) return '{}';
  if (!isPlainObject(parameters)) throw invalidArgument('parameters must be a plain object');
  const open = new Set();
  const walk = (value, path) => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalidArgument(`parameter ${path} is not a finite number`);
      return value;
    }
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw invalidArgument(`parameter ${path} is an invalid Date`);
      return value.toISOString();
    }
    const array = Array.isArray(value);
    if (!array && !isPlainObject(value)) throw invalidArgument(`parameter ${path} has an unsupported type (${typeName(value)})`);
    if (open.has(value)) throw invalidArgument(`parameter ${path} refers to itself`);
    open.add(value);
    let out;
    if (array) {
      out = [];
      for (let i = 0; i < value.length; i += 1) {
        if (!(i in value)) throw invalidArgument(`parameter ${path}[${i}] is missing (a sparse array)`);
        out.push(walk(value[i], `${path}[${i}]`));
      }
    } else {
      // No prototype, so a key named __proto__ stays an ordinary member.
      out = Object.create(null);
      for (const [key, item] of Object.entries(value)) out[key] = walk(item, path ? `${path}.${key}` : key);
    }
    open.delete(value);
    return out;
  };
  return JSON.stringify(walk(parameters, ''));
}

const INT32 = (value) => Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;

// The agent request's body holds the ticket and the application token: it prints redacted.
function inspectAgentRequest() {
  const { body, ...rest } = this;
  return { ...rest, body: '[redacted: holds the ticket and the application token]' };
}

/**
 * A NetServer agent call, ready for fetch: SOAP 1.1 to `{netserverUrl}{agent}.svc` with the
 * ApplicationToken, Credentials/Ticket and (when given) TimeZone headers.
 */
function buildAgentRequest(params) {
  if (params === null || typeof params !== 'object') throw invalidArgument('buildAgentRequest needs an object');
  requireString(params.netserverUrl, 'netserverUrl');
  requireString(params.agent, 'agent');
  requireString(params.method, 'method');
  requireString(params.ticket, 'ticket');
  requireString(params.applicationToken, 'applicationToken');
  const parameters = agentParametersJson(params.parameters);
  let timeZoneId;
  let timeZoneCode;
  if (params.timeZone !== undefined) {
    const zone = params.timeZone;
    if (!isPlainObject(zone)) throw invalidArgument('timeZone must be { SoTimeZoneId, SoTimeZoneLocationCode }');
    for (const name of Object.keys(zone)) {
      if (name !== 'SoTimeZoneId' && name !== 'SoTimeZoneLocationCode') throw invalidArgument(`unknown timeZone field ${name}`);
    }
    if (zone.SoTimeZoneId !== undefined && !INT32(zone.SoTimeZoneId)) throw invalidArgument('timeZone.SoTimeZoneId must be a 32-bit integer');
    timeZoneId = zone.SoTimeZoneId;
    timeZoneCode = optionalString(zone.SoTimeZoneLocationCode, 'timeZone.SoTimeZoneLocationCode');
    if (timeZoneId === undefined && timeZoneCode === undefined) throw invalidArgument('timeZone needs SoTimeZoneId or SoTimeZoneLocationCode');
  }
  const json = callCore(() =>
    wasm.buildAgentRequest(
      params.netserverUrl, params.agent, params.method, parameters, params.ticket, params.applicationToken, timeZoneId, timeZoneCode,
    ),
  );
  const request = JSON.parse(json);
  Object.defineProperty(request, util.inspect.custom, { value: inspectAgentRequest });
  return request;
}

/**
 * Reads an agent's answer: `{ response, succeeded, extraInfo }`. ExceptionInfo is ERR_NETSERVER_EXCEPTION
 * (or ERR_TICKET_REJECTED when it says the ticket was refused, as HTTP 401/403 do).
 */
function parseAgentResponse(response, options) {
  if (response === null || typeof response !== 'object') throw invalidArgument('response must be an object');
  const { status } = response;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw invalidArgument('response.status must be an HTTP status code');
  }
  const body = bodyText(response.body);
  const contentType = headerValue(response.headers, 'content-type');
  if (options === null || typeof options !== 'object') throw invalidArgument('parseAgentResponse needs { method }');
  requireString(options.method, 'method');
  const secrets = redactOption(options.redact);
  return JSON.parse(callCore(() => wasm.parseAgentResponse(status, contentType, body, options.method), secrets));
}

module.exports = {
  SuperOfficeAuthError,
  ERROR_CODES,
  PrivateKey,
  KeySet,
  signToken,
  buildTicketRequest,
  parseTicketResponse,
  validateToken,
  authHeaders,
  parseSuperIdToken,
  buildRefreshTokenRequest,
  parseTokenResponse,
  createAuthorizationRequest,
  parseAuthorizationResponse,
  buildAuthorizationCodeRequest,
  buildAgentRequest,
  parseAgentResponse,
};

// The clients (client.cjs, refresh-client.cjs and the modules under them) build on the exports above
// and load on first use: a caller of the pure functions never pays for them, and they were about half
// of the package's import time (measured with `npm run bench`'s cold start).
module.exports.createSystemUserClient = function createSystemUserClient(options) {
  return require('./client.cjs').createSystemUserClient(options);
};
module.exports.createMemoryCache = function createMemoryCache(options) {
  return require('./client.cjs').createMemoryCache(options);
};
module.exports.createRefreshTokenClient = function createRefreshTokenClient(options) {
  return require('./refresh-client.cjs').createRefreshTokenClient(options);
};
