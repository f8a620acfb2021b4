'use strict';
// OAuth 2.0 / OpenID Connect at SuperOffice's login host: SuperIdTokens, the token endpoint (refresh
// and authorization-code grants), the authorization request and the redirect that answers it.

const { wasm, LIMITS, capped, callCore, coreOptions, redactOption } = require('./wasm.cjs');
const { KeySet, withKeySet } = require('./keys.cjs');
const { readResponse } = require('./http.cjs');
const { invalidArgument } = require('../errors.cjs');
const { INSPECT } = require('../inspect.cjs');
const {
  requireString,
  optionalString,
  optionalBoolean,
  readOptions,
  toEpochMs,
  toLeeway,
} = require('../arguments.cjs');

// The names each entry takes: anything else is a typo, refused rather than ignored.
const LOGIN_HOST = ['environment', 'baseUrl'];
const SUPER_ID_OPTIONS = [
  'keys',
  'clientId',
  'nonce',
  'now',
  'leewaySeconds',
  'environment',
  'issuer',
  'requireSystemUserToken',
];
const REFRESH_REQUEST_PARAMS = [...LOGIN_HOST, 'clientId', 'clientSecret', 'refreshToken', 'redirectUri'];
const TOKEN_RESPONSE_OPTIONS = ['now', 'keys', 'environment', 'issuer', 'clientId', 'nonce', 'leewaySeconds', 'redact'];
const AUTHORIZATION_REQUEST_PARAMS = [
  ...LOGIN_HOST,
  'clientId',
  'redirectUri',
  'responseType',
  'scope',
  'responseMode',
  'prompt',
  'loginHint',
  'contextIdentifier',
  'codeChallengeMethod',
];
const AUTHORIZATION_RESPONSE_OPTIONS = ['state'];
const CODE_REQUEST_PARAMS = [...LOGIN_HOST, 'clientId', 'clientSecret', 'code', 'redirectUri', 'codeVerifier'];

const SYSTEM_TOKEN_CLAIM = 'http://schemes.superoffice.net/identity/system_token';

// SuperIdToken results print without the system user token (the one secret they carry, in
// `systemUserToken` and in the system_token claim); JSON.stringify still gives everything.
function inspectSuperIdResult() {
  const { systemUserToken, claims, ...rest } = this;
  const shownClaims = claims && typeof claims === 'object' ? { ...claims } : claims;
  if (shownClaims && typeof shownClaims[SYSTEM_TOKEN_CLAIM] === 'string')
    shownClaims[SYSTEM_TOKEN_CLAIM] = '[redacted]';
  return { ...rest, systemUserToken: systemUserToken ? '[redacted]' : systemUserToken, claims: shownClaims };
}

function reviveSuperId(result) {
  Object.defineProperty(result, INSPECT, { value: inspectSuperIdResult });
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
  readOptions(options, SUPER_ID_OPTIONS, { required: true, message: 'parseSuperIdToken needs an options object' });
  if (options.keys === undefined) throw invalidArgument('keys is required');
  const [environment, issuer] = issuerArguments(options);
  requireString(options.clientId, 'clientId');
  const nonce = optionalString(options.nonce, 'nonce');
  const nowMs = toEpochMs(options.now);
  const leeway = toLeeway(options.leewaySeconds);
  const requireSystemUserToken = optionalBoolean(options.requireSystemUserToken, 'requireSystemUserToken', false);
  capped(idToken, LIMITS.tokenBytes, 'ERR_JWT_MALFORMED', 'JWT exceeds 16 KiB');
  const json = withKeySet(options.keys, (keySet) =>
    callCore(() =>
      wasm.parseSuperIdToken(
        coreOptions({
          idToken,
          environment,
          issuer,
          clientId: options.clientId,
          nonce,
          nowMs,
          leewaySeconds: leeway,
          requireSystemUserToken,
        }),
        KeySet.handle(keySet),
      ),
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
  readOptions(params, REFRESH_REQUEST_PARAMS, { required: true, message: 'buildRefreshTokenRequest needs an object' });
  const environment = optionalString(params.environment, 'environment');
  const baseUrl = optionalString(params.baseUrl, 'baseUrl');
  requireString(params.clientId, 'clientId');
  requireString(params.clientSecret, 'clientSecret');
  requireString(params.refreshToken, 'refreshToken');
  const redirectUri = optionalString(params.redirectUri, 'redirectUri');
  const json = callCore(() =>
    wasm.buildRefreshTokenRequest(
      coreOptions({
        environment,
        baseUrl,
        clientId: params.clientId,
        clientSecret: params.clientSecret,
        refreshToken: params.refreshToken,
        redirectUri,
      }),
    ),
  );
  const request = JSON.parse(json);
  Object.defineProperty(request, INSPECT, { value: inspectRefreshRequest });
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
  const { status, body, contentType } = readResponse(response);
  options = readOptions(options, TOKEN_RESPONSE_OPTIONS);
  const nowMs = toEpochMs(options.now);
  const secrets = redactOption(options.redact);
  let json;
  if (options.keys === undefined) {
    // Options that only mean something for id_token validation would otherwise be ignored in silence:
    // a caller passing a nonce believes it is checked.
    const stray = ID_TOKEN_OPTIONS.find((name) => options[name] !== undefined);
    if (stray) throw invalidArgument(`${stray} applies to id_token validation, which needs keys`);
    json = callCore(() => wasm.parseTokenResponse(coreOptions({ status, contentType, nowMs }), body), secrets);
  } else {
    const [environment, issuer] = issuerArguments(options);
    requireString(options.clientId, 'clientId');
    const nonce = optionalString(options.nonce, 'nonce');
    const leeway = toLeeway(options.leewaySeconds);
    json = withKeySet(options.keys, (keySet) =>
      callCore(
        () =>
          wasm.parseTokenResponseWithIdToken(
            coreOptions({
              status,
              contentType,
              nowMs,
              idToken: { environment, issuer, clientId: options.clientId, nonce, leewaySeconds: leeway },
            }),
            body,
            KeySet.handle(keySet),
          ),
        secrets,
      ),
    );
  }
  const result = JSON.parse(json);
  result.expiresAt = new Date(result.expiresAt);
  if (result.idToken) reviveSuperId(result.idToken);
  Object.defineProperty(result, INSPECT, { value: inspectTokenResult });
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
  readOptions(params, AUTHORIZATION_REQUEST_PARAMS, {
    required: true,
    message: 'createAuthorizationRequest needs an object',
  });
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
      coreOptions({
        environment,
        baseUrl,
        clientId: params.clientId,
        redirectUri: params.redirectUri,
        responseType,
        scope: optionalString(params.scope, 'scope'),
        responseMode,
        prompt: optionalString(params.prompt, 'prompt'),
        loginHint: optionalString(params.loginHint, 'loginHint'),
        contextIdentifier: optionalString(params.contextIdentifier, 'contextIdentifier'),
        codeChallengeMethod: optionalString(params.codeChallengeMethod, 'codeChallengeMethod'),
      }),
    ),
  );
  const request = JSON.parse(json);
  Object.defineProperty(request, INSPECT, { value: inspectAuthorizationRequest });
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
      if (typeof item !== 'string') throw invalidArgument("the form body's values must be strings");
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
  capped(
    text,
    LIMITS.responseBytes,
    'ERR_RESPONSE_TOO_LARGE',
    `response body exceeds the limit of ${LIMITS.responseBytes} bytes`,
    { limit: LIMITS.responseBytes },
  );
  readOptions(options, AUTHORIZATION_RESPONSE_OPTIONS, {
    required: true,
    message: 'parseAuthorizationResponse needs { state }',
  });
  requireString(options.state, 'state');
  const result = JSON.parse(
    callCore(() => wasm.parseAuthorizationResponse(coreOptions({ parameters: text, state: options.state }))),
  );
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
  readOptions(params, CODE_REQUEST_PARAMS, {
    required: true,
    message: 'buildAuthorizationCodeRequest needs an object',
  });
  const environment = optionalString(params.environment, 'environment');
  const baseUrl = optionalString(params.baseUrl, 'baseUrl');
  requireString(params.clientId, 'clientId');
  requireString(params.clientSecret, 'clientSecret');
  requireString(params.code, 'code');
  requireString(params.redirectUri, 'redirectUri');
  requireString(params.codeVerifier, 'codeVerifier');
  const json = callCore(() =>
    wasm.buildAuthorizationCodeRequest(
      coreOptions({
        environment,
        baseUrl,
        clientId: params.clientId,
        clientSecret: params.clientSecret,
        code: params.code,
        redirectUri: params.redirectUri,
        codeVerifier: params.codeVerifier,
      }),
    ),
  );
  const request = JSON.parse(json);
  Object.defineProperty(request, INSPECT, { value: inspectCodeRequest });
  return request;
}

module.exports = {
  parseSuperIdToken,
  buildRefreshTokenRequest,
  parseTokenResponse,
  createAuthorizationRequest,
  parseAuthorizationResponse,
  buildAuthorizationCodeRequest,
};
