'use strict';
// The refresh-token client, for hybrid applications that act for a user through OAuth rather than as
// the system user: it trades the refresh token for an access token at `{host}/login/common/oauth/tokens`
// (the core builds the request and reads the answer), caches the access token, and renews it shortly
// before it expires.
//
// Decisions:
// - One access token per client, in memory. A refresh token belongs to one user of one tenant, so there
//   is nothing to key a cache by, and a store shared between processes would need a lock around every
//   refresh once the server rotates refresh tokens (two processes refreshing with the same token: the
//   second gets invalid_grant). One client per refresh token per process.
// - Renewal happens in the caller's await, not in the background: a token is used until
//   `refreshAheadSeconds` (default 300, at most half its lifetime) before it expires, then the next
//   caller refreshes it and concurrent callers wait for that one request. A refresh can rotate the
//   refresh token and can fail for good (invalid_grant), and both should reach a caller rather than a
//   background hook; with hour-long access tokens the wait costs one round trip an hour.
// - Rotation: when the answer carries a refresh token other than the one sent, the client uses it from
//   then on and awaits `onRefreshToken(newToken)` before handing out the access token, so the caller can
//   persist it first. The rotated token is taken from the answer before its id_token is validated, so a
//   refresh whose id_token fails validation (or whose hook throws) still leaves the client, and the
//   hook, with the token the server now expects. A hook that throws rejects that refresh's callers; the
//   new tokens stay in use in this process.
// - id_token: validated when the answer has one (signature by the environment's JWKS or the pinned
//   keys, issuer, audience = clientId, expiry), its claims returned by getToken(). Keys are fetched
//   before the refresh, so an unreachable JWKS fails before the refresh token is spent.
//   `validateIdToken: false` skips this (and the JWKS); `idToken` is then null.
// - Failures are not cached: the next call asks again. invalid_grant (revoked, expired or already used
//   refresh token) is ERR_OAUTH_ERROR with `oauthError: 'invalid_grant'`: the user must authorize again.
// - Starting from a code: a client created without `refreshToken` gets its first one from
//   fromAuthorizationCode({ code, codeVerifier, redirectUri, nonce }), the code exchange of the
//   authorization code flow (createAuthorizationRequest made the URL and kept the verifier and nonce).
//   The refresh token is handed to onRefreshToken (awaited, like a rotation) and returned, so the caller
//   can store it either way; the access token of the same answer is cached. The id_token is required
//   there and validated with the nonce (unless validateIdToken is false): OpenID Connect's code flow
//   always sends one, and it is what binds the answer to this browser's request. A client holds one
//   refresh token: a second fromAuthorizationCode, or one on a client given a refreshToken, is refused.
// - Secrets (client secret, refresh token, access token) live in this closure; util.inspect, console.log
//   and JSON.stringify of the client show settings only, and token results print redacted.

const { INSPECT, describe } = require('../inspect.cjs');
const { fail, invalidArgument, createSender, createKeySource, createCoalescer } = require('./io.cjs');
const {
  requireString,
  optionalString,
  coreRangeOption,
  optionalFunction,
  optionalBoolean,
  readOptions,
  toClock,
  optionalLeeway,
  toJwksMaxAge,
  toLocation,
} = require('../arguments.cjs');
const core = require('../core/index.cjs');
const { loginHost } = require('../core/login-host.cjs');
const { createAuthorizedFetch, tenantScope } = require('./authorized-fetch.cjs');
const { isTrustedTenantUrl, tenantBaseOf } = require('./tenant-url.cjs');
const { createEmitter } = require('./events.cjs');
const { createTenantDirectory } = require('./tenant-directory.cjs');
const { createTenantCaller } = require('./tenant-call.cjs');

const OPTION_NAMES = new Set([
  'environment',
  'baseUrl',
  'issuer',
  'clientId',
  'clientSecret',
  'refreshToken',
  'redirectUri',
  'fetch',
  'keys',
  'jwksCooldownMs',
  'jwksMaxAgeMs',
  'timeoutMs',
  'refreshAheadSeconds',
  'leewaySeconds',
  'onRefreshToken',
  'validateIdToken',
  'now',
  'onEvent',
  'allowedOrigins',
]);
const REFRESH = 'refresh';
const CODE_PARAMS = ['code', 'codeVerifier', 'redirectUri', 'nonce'];
const INVALIDATE_OPTIONS = ['accessToken'];

function createRefreshTokenClient(options) {
  const o = readOptions(options, OPTION_NAMES, { required: true });
  const where = toLocation(o.environment, o.baseUrl);
  const { environment } = where;
  const clientId = requireString(o.clientId, 'clientId');
  const clientSecret = requireString(o.clientSecret, 'clientSecret');
  const refreshToken = optionalString(o.refreshToken, 'refreshToken');
  const redirectUri = optionalString(o.redirectUri, 'redirectUri');
  const issuer = optionalString(o.issuer, 'issuer');
  const fetchImpl = optionalFunction(o.fetch, 'fetch', globalThis.fetch);
  const now = toClock(o.now);
  const timeoutMs = coreRangeOption(o.timeoutMs, 'timeoutMs');
  const jwksCooldownMs = coreRangeOption(o.jwksCooldownMs, 'jwksCooldownMs');
  const jwksMaxAgeMs = toJwksMaxAge(o.jwksMaxAgeMs);
  const refreshAheadSeconds = coreRangeOption(
    o.refreshAheadSeconds,
    'refreshAheadSeconds',
    'accessTokenRefreshAheadSeconds',
  );
  // Checked now, with the rule every entry applies, though only used when an id_token arrives.
  const leewaySeconds = optionalLeeway(o.leewaySeconds);
  const onRefreshToken = optionalFunction(o.onRefreshToken, 'onRefreshToken', undefined);
  const validateIdToken = optionalBoolean(o.validateIdToken, 'validateIdToken', true);
  const { keys } = o;
  const allowedOriginList = checkAllowedOrigins(o.allowedOrigins);
  const onEvent = optionalFunction(o.onEvent, 'onEvent', undefined);
  if (issuer !== undefined && environment !== undefined)
    throw invalidArgument('give issuer only with baseUrl; an environment has its own');
  if (validateIdToken) {
    if (where.baseUrl !== undefined && issuer === undefined) {
      throw invalidArgument('with baseUrl, give the id_token issuer (issuer option) or validateIdToken: false');
    }
  } else if (keys !== undefined || issuer !== undefined || leewaySeconds !== undefined) {
    throw invalidArgument(
      'keys, issuer and leewaySeconds serve id_token validation, which validateIdToken: false turns off',
    );
  }

  // Built once with the real values: the core checks the location and the credentials now (a refresh
  // token read from a file with its newline fails here, not as invalid_grant later). Without a refresh
  // token yet (it will come from fromAuthorizationCode), a placeholder stands in.
  core.buildRefreshTokenRequest({
    ...where,
    clientId,
    clientSecret,
    refreshToken: refreshToken ?? 'probe',
    redirectUri,
  });
  // The JWKS lives below the login host, which the core names.
  const loginBase = loginHost(where);
  const pinnedKeys = keys === undefined ? null : core.KeySet.from(keys);
  const send = createSender({ fetchImpl, timeoutMs });
  const { emit } = createEmitter({ onEvent, source: 'refresh-token' });
  const keySource = validateIdToken
    ? createKeySource({
        pinned: pinnedKeys,
        jwksUrl: `${loginBase}/login/.well-known/jwks`,
        send,
        cooldownMs: jwksCooldownMs,
        maxAgeMs: jwksMaxAgeMs,
        now,
        onFetch: (fields) => emit('jwks:fetch', fields),
      })
    : null;
  // The user's tenant (from the id_token) moves like any other: a 421 asks the state API where it went.
  // One user, one tenant, one process: what is learnt stays in this client.
  const learnt = new Map();
  const directory = createTenantDirectory({
    stateRequest: (contextIdentifier) => core.buildTenantStateRequest({ ...where, contextIdentifier }),
    parseState(res, contextIdentifier) {
      const parsed = core.parseTenantState(res, { ...where, contextIdentifier, now: now() });
      return { ...parsed, validUntil: parsed.validUntil.getTime() };
    },
    send,
    shared: {
      get: async (contextIdentifier) => learnt.get(contextIdentifier),
      set: async (contextIdentifier, value) => {
        learnt.set(contextIdentifier, value);
      },
    },
    forget: async () => {
      token = null;
    },
    trusted: (url, contextIdentifier) =>
      isTrustedTenantUrl(url, where) && tenantBaseOf(`${url}/`, contextIdentifier) !== null,
    now,
    emit,
    coalescer: createCoalescer(),
  });
  const caller = createTenantCaller({ directory, emit });
  const idTokenWhere = environment !== undefined ? { environment } : { issuer };
  const refreshes = createCoalescer();

  let currentRefreshToken = refreshToken; // undefined until fromAuthorizationCode when created without one
  let exchangingCode = false;
  let token = null; // { accessToken, tokenType, expiresAt, idToken, obtainedAt, useUntil }, times in ms

  function parseWithIdToken(res, keySet, at, secrets) {
    return core.parseTokenResponse(res, {
      ...idTokenWhere,
      keys: keySet,
      clientId,
      now: at,
      redact: secrets,
      ...(leewaySeconds !== undefined ? { leewaySeconds } : {}),
    });
  }

  async function refresh() {
    emit('exchange:start', { reason: 'refresh-token' });
    const started = Date.now();
    try {
      const result = await refreshOnce();
      emit('exchange:end', { reason: 'refresh-token', durationMs: Date.now() - started, outcome: 'ok' });
      return result;
    } catch (err) {
      emit('exchange:end', {
        reason: 'refresh-token',
        durationMs: Date.now() - started,
        outcome: 'error',
        code: err?.code,
        status: err?.status,
      });
      throw err;
    }
  }

  async function refreshOnce() {
    // Keys first: if they cannot be had, the refresh token is not spent (a rotating server would
    // otherwise hand us a new one we then fail to validate around).
    const keySet = keySource ? await keySource.current() : null;
    const sent = currentRefreshToken;
    const request = core.buildRefreshTokenRequest({
      ...where,
      clientId,
      clientSecret,
      refreshToken: sent,
      redirectUri,
    });
    const res = await send(request.url, { method: request.method, headers: request.headers, body: request.body });
    const at = now();
    // First without the id_token: OAuth errors and the token fields, and above all a rotated refresh
    // token, which must be kept whatever happens next.
    const plain = core.parseTokenResponse(res, { now: at, redact: [clientSecret, sent] });
    const rotated = plain.refreshToken !== null && plain.refreshToken !== sent ? plain.refreshToken : undefined;
    if (rotated !== undefined) currentRefreshToken = rotated;
    let idToken = null;
    let invalid = null;
    if (keySet) {
      try {
        ({ idToken } = await keySource.parseWith(keySet, (set) =>
          parseWithIdToken(res, set, at, [clientSecret, sent]),
        ));
      } catch (err) {
        invalid = err;
      }
    }
    if (!invalid) keep(plain, idToken, at);
    if (rotated !== undefined && onRefreshToken) await onRefreshToken(rotated);
    if (invalid) throw invalid;
    return token;
  }

  async function resolveToken() {
    if (token && now() < token.useUntil) return token;
    if (currentRefreshToken === undefined) {
      throw invalidArgument(
        'the client has no refresh token yet: call fromAuthorizationCode first, or pass refreshToken',
      );
    }
    return refreshes.run(REFRESH, refresh);
  }

  function keep(plain, idToken, at) {
    const expiresAt = plain.expiresAt.getTime();
    const aheadMs = Math.min(refreshAheadSeconds * 1000, (expiresAt - at) / 2);
    token = {
      accessToken: plain.accessToken,
      tokenType: plain.tokenType,
      expiresAt,
      idToken,
      obtainedAt: at,
      useUntil: expiresAt - aheadMs,
    };
    return token;
  }

  async function exchangeCode(params) {
    readOptions(params, CODE_PARAMS, {
      required: true,
      message: 'fromAuthorizationCode needs { code, codeVerifier, redirectUri, nonce }',
    });
    const code = requireString(params.code, 'code');
    const codeVerifier = requireString(params.codeVerifier, 'codeVerifier');
    const codeRedirectUri = optionalString(params.redirectUri, 'redirectUri') ?? redirectUri;
    if (codeRedirectUri === undefined)
      throw invalidArgument('redirectUri is required: the one the authorization request named');
    const nonce = optionalString(params.nonce, 'nonce');
    if (nonce !== undefined && !validateIdToken)
      throw invalidArgument('nonce is checked in the id_token, which validateIdToken: false turns off');
    if (currentRefreshToken !== undefined || exchangingCode) {
      throw invalidArgument('the client already holds a refresh token; create one client per authorization');
    }
    exchangingCode = true;
    try {
      // Keys first, as for a refresh: a code is single-use, so it is not spent while they cannot be had.
      const keySet = keySource ? await keySource.current() : null;
      const request = core.buildAuthorizationCodeRequest({
        ...where,
        clientId,
        clientSecret,
        code,
        redirectUri: codeRedirectUri,
        codeVerifier,
      });
      const res = await send(request.url, { method: request.method, headers: request.headers, body: request.body });
      const at = now();
      const secrets = [clientSecret, code, codeVerifier];
      const plain = core.parseTokenResponse(res, { now: at, redact: secrets });
      if (plain.refreshToken === null) {
        throw fail('ERR_RESPONSE_MALFORMED', 'the token response to the code has no refresh_token');
      }
      let idToken = null;
      if (keySet) {
        ({ idToken } = await keySource.parseWith(keySet, (set) => {
          return core.parseTokenResponse(res, {
            ...idTokenWhere,
            keys: set,
            clientId,
            now: at,
            redact: secrets,
            ...(nonce !== undefined ? { nonce } : {}),
            ...(leewaySeconds !== undefined ? { leewaySeconds } : {}),
          });
        }));
        if (idToken === null) throw fail('ERR_RESPONSE_MALFORMED', 'the token response to the code has no id_token');
      }
      currentRefreshToken = plain.refreshToken;
      keep(plain, idToken, at);
      if (onRefreshToken) await onRefreshToken(plain.refreshToken);
      const result = /** @type {import('superoffice-auth').CodeExchangeResult} */ (revive(token));
      result.refreshToken = plain.refreshToken;
      return result;
    } finally {
      exchangingCode = false;
    }
  }

  // fetch with `Authorization: Bearer`, the same retry rules as the ticket client's. A validated
  // id_token that names the tenant's URLs (on SuperOffice's hosts) limits the token to the tenant's own
  // base, as for tickets, and names the tenant to follow when it moves (421). Without one there is no
  // webapiUrl and no tenant to follow: relative URLs are refused, and absolute ones must be on
  // allowedOrigins, by default SuperOffice's hosts (https, *.superoffice.com) or the baseUrl's.
  const fallbackScope = allowedOriginList
    ? (url) => allowedOriginList.includes(url.origin)
    : (url) => isTrustedTenantUrl(url, where);
  async function credential(previous) {
    const current = previous ? previous.current : await resolveToken();
    const claims = current.idToken;
    const trusted = (url) => (typeof url === 'string' && isTrustedTenantUrl(url, where) ? url : null);
    const claimed = { webapiUrl: trusted(claims?.webapiUrl), netserverUrl: trusted(claims?.netserverUrl) };
    const contextIdentifier =
      claims && typeof claims.contextIdentifier === 'string' && (claimed.webapiUrl || claimed.netserverUrl)
        ? claims.contextIdentifier
        : null;
    const route = contextIdentifier
      ? await directory.route(contextIdentifier, claimed)
      : { endpoint: null, webapiUrl: null, netserverUrl: null };
    route.allows = contextIdentifier
      ? tenantScope(contextIdentifier, route.webapiUrl, route.netserverUrl)
      : fallbackScope;
    return {
      token: current.accessToken,
      current,
      headers: { Authorization: `Bearer ${current.accessToken}` },
      route,
      contextIdentifier,
    };
  }

  const authorizedFetch = createAuthorizedFetch({
    fetchImpl,
    timeoutMs,
    caller,
    contextIdentifier: null, // the id_token's, on each credential
    now,
    acquire: credential,
    async drop(accessToken) {
      if (token && token.accessToken === accessToken) token = null;
    },
  });

  const description = () => ({
    ...where,
    clientId,
    idToken: validateIdToken ? (pinnedKeys ? 'validated, pinned keys' : 'validated, jwks') : 'ignored',
    refreshAheadSeconds,
  });

  const client = {
    /**
     * The code exchange: trades the code that came back to the redirect URL (with the PKCE verifier
     * and nonce kept from createAuthorizationRequest) for the first refresh token and an access token.
     * Resolves to the token (as getToken) plus `refreshToken`, which the caller must store; it is also
     * handed to onRefreshToken first.
     */
    fromAuthorizationCode(params) {
      return exchangeCode(params);
    },
    /** The access token: cached until shortly before it expires, then one refresh for all callers. */
    async getAccessToken() {
      return (await resolveToken()).accessToken;
    },
    /** `{ Authorization: 'Bearer ...' }` for the tenant's web API. */
    async authHeaders() {
      return { Authorization: `Bearer ${(await resolveToken()).accessToken}` };
    },
    /**
     * fetch with `Authorization: Bearer {accessToken}`. A relative input resolves against the id_token's
     * webapiUrl. A 401 drops the access token and the request is sent once more after one refresh.
     */
    fetch(input, init) {
      return authorizedFetch(input, init);
    },
    /** The whole token: { accessToken, tokenType, expiresAt, idToken (claims or null), obtainedAt }. */
    async getToken() {
      return revive(await resolveToken());
    },
    /**
     * Forget the access token (call it when the API answered 401). With { accessToken }, only if that
     * is still the cached one, so many requests failing with one old token cause one refresh.
     * Resolves to true when something was removed.
     */
    async invalidate(params) {
      const p = readOptions(params, INVALIDATE_OPTIONS, { message: 'invalidate options must be an object' });
      const accessToken = optionalString(p.accessToken, 'accessToken');
      if (!token || (accessToken !== undefined && accessToken !== token.accessToken)) return false;
      token = null;
      return true;
    },
    [INSPECT](_depth, _options, inspect) {
      return describe('RefreshTokenClient', description(), inspect);
    },
    toJSON() {
      return description();
    },
  };
  return Object.freeze(client);
}

/** allowedOrigins: origins (scheme, host, port) the access token may go to when no id_token names the tenant. */
function checkAllowedOrigins(value) {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0)
    throw invalidArgument('allowedOrigins must be a non-empty array of origins');
  return value.map((text) => {
    let url;
    try {
      url = typeof text === 'string' ? new URL(text) : null;
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== text.replace(/\/$/, '')) {
      throw invalidArgument(
        'allowedOrigins must hold origins such as https://online2.superoffice.com (scheme, host and port only)',
      );
    }
    return url.origin;
  });
}

function inspectToken() {
  const { accessToken, refreshToken, idToken, ...rest } = this;
  const shown = { ...rest, accessToken: accessToken ? '[redacted]' : accessToken, idToken };
  if (refreshToken !== undefined) shown.refreshToken = refreshToken ? '[redacted]' : refreshToken;
  return shown;
}

// Each caller gets its own object; the id_token claims keep the core's redacting inspect.
function revive(token) {
  let idToken = null;
  if (token.idToken) {
    idToken = structuredClone(token.idToken);
    const inspectClaims = token.idToken[INSPECT];
    if (inspectClaims) Object.defineProperty(idToken, INSPECT, { value: inspectClaims });
  }
  const result = {
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    expiresAt: new Date(token.expiresAt),
    idToken,
    obtainedAt: new Date(token.obtainedAt),
  };
  Object.defineProperty(result, INSPECT, { value: inspectToken });
  return result;
}

module.exports = { createRefreshTokenClient };
