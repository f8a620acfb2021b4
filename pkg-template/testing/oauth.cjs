'use strict';
// Door: OAuth 2.0 / OpenID Connect at the login host: the discovery document, the JWKS, the authorize
// endpoint (it approves at once, as a person who signs in and agrees would), the token endpoint's
// authorization-code and refresh-token grants, and SuperIdTokens (id_tokens) as a tenant
// administrator's approval would send them.

const crypto = require('node:crypto');
const { JSON_TYPE, NO_STORE, send, requireString, checkRedirectUris } = require('./http.cjs');
const { CLAIM, signJwt, safeEqual } = require('./signing.cjs');

const FORM_TYPE = 'application/x-www-form-urlencoded';
const PATHS = {
  '/login/.well-known/jwks': 'jwks',
  '/login/.well-known/openid-configuration': 'openidConfiguration',
  '/login/common/oauth/tokens': 'tokens',
  '/login/common/oauth/authorize': 'authorize',
};

function create(stand) {
  const { clients, tenants, applications, accessTokens, now } = stand;
  const codes = new Map(); // authorization code -> { clientId, redirectUri, codeChallenge, contextIdentifier, nonce, expiresAt, used, issued }
  const refreshTokens = new Map(); // refresh token -> { clientId, contextIdentifier, status, expiresAt, rotate, redirectUri }

  function route(url) {
    const endpoint = PATHS[url.pathname.toLowerCase()];
    return endpoint === undefined ? undefined : { endpoint };
  }

  function handle(req, res, r, body, fault) {
    switch (r.endpoint) {
      case 'openidConfiguration':
        return send(
          res,
          200,
          JSON_TYPE,
          JSON.stringify({
            issuer: stand.issuer,
            jwks_uri: `${stand.baseUrl}/login/.well-known/jwks`,
            authorization_endpoint: `${stand.baseUrl}/login/common/oauth/authorize`,
            token_endpoint: `${stand.baseUrl}/login/common/oauth/tokens`,
            response_types_supported: ['code', 'id_token'],
            response_modes_supported: ['query', 'fragment', 'form_post'],
            code_challenge_methods_supported: ['S256'],
            scopes_supported: ['openid'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
            grant_types_supported: ['authorization_code', 'refresh_token'],
            token_endpoint_auth_methods_supported: ['client_secret_post'],
          }),
        );
      case 'jwks':
        if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
        return send(res, 200, JSON_TYPE, JSON.stringify({ keys: stand.publishedKeys().map((k) => k.jwk) }));
      case 'tokens':
        return handleTokens(req, res, body);
      default:
        return handleAuthorize(req, res, r.url, fault);
    }
  }

  // The OAuth token endpoint: the refresh-token grant only (RFC 6749 §6), client authentication by
  // client_id and client_secret in the form, errors as RFC 6749 §5.2 bodies.
  function handleTokens(req, res, body) {
    const oauthError = (status, error, description) =>
      send(res, status, JSON_TYPE, JSON.stringify({ error, error_description: description }), NO_STORE);
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
    const type = String(req.headers['content-type'] || '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (type !== FORM_TYPE) return oauthError(400, 'invalid_request', `the body must be ${FORM_TYPE}`);
    const form = new URLSearchParams(body);
    const field = {};
    for (const name of new Set(form.keys())) {
      // RFC 6749 §3.2: request parameters must not be included more than once.
      if (form.getAll(name).length > 1) return oauthError(400, 'invalid_request', `${name} is repeated`);
      field[name] = form.get(name);
    }
    if (!field.grant_type) return oauthError(400, 'invalid_request', 'grant_type is missing');
    if (field.grant_type !== 'refresh_token' && field.grant_type !== 'authorization_code') {
      return oauthError(
        400,
        'unsupported_grant_type',
        'the stand-in supports grant_type refresh_token and authorization_code',
      );
    }
    const client = field.client_id ? clients.get(field.client_id) : undefined;
    if (!client || !safeEqual(field.client_secret ?? '', client.clientSecret)) {
      return oauthError(401, 'invalid_client', 'unknown client or wrong client secret');
    }
    if (field.grant_type === 'authorization_code') return redeemCode(res, field, oauthError);
    if (!field.refresh_token) return oauthError(400, 'invalid_request', 'refresh_token is missing');
    const grant = refreshTokens.get(field.refresh_token);
    const t = now();
    if (!grant || grant.clientId !== field.client_id) return oauthError(400, 'invalid_grant', 'unknown refresh token');
    if (grant.status === 'revoked') return oauthError(400, 'invalid_grant', 'the refresh token has been revoked');
    if (grant.status === 'rotated') return oauthError(400, 'invalid_grant', 'the refresh token has already been used');
    if (t >= grant.expiresAt) return oauthError(400, 'invalid_grant', 'the refresh token has expired');
    if (
      grant.redirectUri !== undefined &&
      field.redirect_uri !== undefined &&
      field.redirect_uri !== grant.redirectUri
    ) {
      return oauthError(400, 'invalid_grant', 'redirect_uri does not match the one the token was issued for');
    }
    const tenant = tenants.get(grant.contextIdentifier);
    if (!tenant) return oauthError(400, 'invalid_grant', 'the tenant no longer exists');

    const accessToken = newAccessToken(tenant, grant.clientId, t);
    const answer = {
      token_type: 'Bearer',
      access_token: accessToken,
      expires_in: stand.options.accessTokenLifetimeSeconds,
      id_token: issueIdToken(tenant, grant.clientId, {}),
    };
    if (grant.rotate) {
      grant.status = 'rotated';
      answer.refresh_token = newRefreshToken({ ...grant, status: 'active' });
    }
    return send(res, 200, JSON_TYPE, JSON.stringify(answer), NO_STORE);
  }

  // The authorization-code grant (RFC 6749 §4.1.3, PKCE RFC 7636 §4.6). A code is consumed by the
  // first attempt of its own client, whatever the outcome, and a second attempt also revokes the tokens
  // the first one got (RFC 6749 §4.1.2: the code may have been stolen).
  function redeemCode(res, field, oauthError) {
    if (!field.code) return oauthError(400, 'invalid_request', 'code is missing');
    const record = codes.get(field.code);
    if (!record || record.clientId !== field.client_id)
      return oauthError(400, 'invalid_grant', 'unknown authorization code');
    if (record.used) {
      if (record.issued) {
        refreshTokens.get(record.issued.refreshToken).status = 'revoked';
        accessTokens.get(record.issued.accessToken).revoked = true;
      }
      return oauthError(400, 'invalid_grant', 'the authorization code has already been used');
    }
    record.used = true;
    const t = now();
    if (t >= record.expiresAt) return oauthError(400, 'invalid_grant', 'the authorization code has expired');
    if (field.redirect_uri !== record.redirectUri)
      return oauthError(400, 'invalid_grant', 'redirect_uri is not the one the code was issued for');
    const verifier = field.code_verifier;
    if (record.codeChallenge === undefined) {
      if (verifier !== undefined)
        return oauthError(
          400,
          'invalid_grant',
          'code_verifier given, but the authorization request sent no code_challenge',
        );
    } else {
      if (verifier === undefined) return oauthError(400, 'invalid_grant', 'code_verifier is missing');
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
        return oauthError(400, 'invalid_grant', 'code_verifier is not 43-128 unreserved characters');
      const challenge = crypto.createHash('sha256').update(verifier, 'ascii').digest('base64url');
      if (!safeEqual(challenge, record.codeChallenge))
        return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    }
    const tenant = tenants.get(record.contextIdentifier);
    if (!tenant) return oauthError(400, 'invalid_grant', 'the tenant no longer exists');
    const accessToken = newAccessToken(tenant, record.clientId, t);
    const refreshToken = newRefreshToken({
      clientId: record.clientId,
      contextIdentifier: tenant.contextIdentifier,
      status: 'active',
      rotate: false,
      redirectUri: record.redirectUri,
      expiresAt: Infinity,
    });
    record.issued = { accessToken, refreshToken };
    return send(
      res,
      200,
      JSON_TYPE,
      JSON.stringify({
        token_type: 'Bearer',
        access_token: accessToken,
        expires_in: stand.options.accessTokenLifetimeSeconds,
        refresh_token: refreshToken,
        id_token: issueIdToken(tenant, record.clientId, { nonce: record.nonce }),
        scope: 'openid',
      }),
      NO_STORE,
    );
  }

  function newAccessToken(tenant, clientId, t) {
    const accessToken = `8A:${tenant.contextIdentifier}.${crypto.randomBytes(32).toString('base64url')}`;
    accessTokens.set(accessToken, {
      clientId,
      contextIdentifier: tenant.contextIdentifier,
      expiresAt: t + stand.options.accessTokenLifetimeSeconds * 1000,
      revoked: false,
    });
    stand.stats.accessTokensIssued += 1;
    return accessToken;
  }

  // The authorize endpoint (OpenID Connect Core §3.1.2, §3.2.2): it checks the request, then approves at
  // once, as a person who signs in and agrees would, unless a `deny` fault makes them decline. Errors
  // about the client or the redirect URI are answered here (400), never redirected (RFC 6749 §4.1.2.1);
  // the rest go back to the redirect URI. The tenant is acr_values=tenant:{ctx}, or the only tenant.
  function handleAuthorize(req, res, url, fault) {
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
    const names = [...url.searchParams.keys()];
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated) return send(res, 400, 'text/plain', `${repeated} is repeated`);
    const q = Object.fromEntries(url.searchParams);
    const client = q.client_id ? clients.get(q.client_id) : undefined;
    if (!client) return send(res, 400, 'text/plain', 'unknown client_id');
    if (!q.redirect_uri) return send(res, 400, 'text/plain', 'redirect_uri is missing');
    if (client.redirectUris && !client.redirectUris.includes(q.redirect_uri)) {
      return send(res, 400, 'text/plain', 'redirect_uri is not registered for the client');
    }
    const isCode = q.response_type === 'code';
    const mode = q.response_mode ?? (isCode ? 'query' : 'fragment');
    const back = (params) =>
      deliver(res, q.redirect_uri, ['query', 'fragment', 'form_post'].includes(mode) ? mode : 'query', {
        ...params,
        ...(q.state !== undefined ? { state: q.state } : {}),
      });
    const refuse = (error, description) => back({ error, error_description: description });
    if (!['query', 'fragment', 'form_post'].includes(mode))
      return refuse('invalid_request', 'unsupported response_mode');
    if (!isCode && q.response_type !== 'id_token')
      return refuse('unsupported_response_type', 'response_type must be code or id_token');
    if (!isCode && mode === 'query') return refuse('invalid_request', 'an id_token is not sent in a query string');
    if (!(q.scope ?? '').split(' ').includes('openid')) return refuse('invalid_scope', 'scope must include openid');
    if (!isCode && !q.nonce) return refuse('invalid_request', 'nonce is required with response_type id_token');
    if (q.code_challenge !== undefined || q.code_challenge_method !== undefined) {
      if (!isCode) return refuse('invalid_request', 'code_challenge goes with response_type code');
      if (q.code_challenge_method !== 'S256') return refuse('invalid_request', 'code_challenge_method must be S256');
      if (!/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge ?? ''))
        return refuse('invalid_request', 'code_challenge is not a base64url SHA-256');
    }
    let contextIdentifier;
    const acr = /^tenant:(\S+)$/.exec(q.acr_values ?? '');
    if (acr) contextIdentifier = acr[1];
    else if (tenants.size === 1) [contextIdentifier] = tenants.keys();
    else
      return refuse(
        'invalid_request',
        'the stand-in has several tenants: name one with acr_values=tenant:{contextIdentifier}',
      );
    const tenant = tenants.get(contextIdentifier);
    if (!tenant) return refuse('invalid_request', 'unknown tenant');
    if (fault && fault.type === 'deny') return refuse('access_denied', 'The user declined the request');
    if (isCode) {
      const code = crypto.randomBytes(32).toString('base64url');
      codes.set(code, {
        clientId: q.client_id,
        redirectUri: q.redirect_uri,
        codeChallenge: q.code_challenge,
        contextIdentifier,
        nonce: q.nonce,
        expiresAt: now() + stand.options.codeLifetimeSeconds * 1000,
        used: false,
        issued: null,
      });
      stand.stats.codesIssued += 1;
      return back({ code });
    }
    // The administrator approves the application for the tenant: a system-user application gets its
    // system user token now, if the tenant had not approved it before.
    if (applications.has(client.clientSecret) && !tenant.grants.has(client.clientSecret)) {
      tenant.grants.set(client.clientSecret, {
        systemUserToken: `Approved-${crypto.randomBytes(9).toString('base64url')}`,
        status: 'active',
      });
    }
    return back({ id_token: issueIdToken(tenant, q.client_id, { nonce: q.nonce }) });
  }

  function newRefreshToken(grant) {
    const token = crypto.randomBytes(32).toString('base64url');
    refreshTokens.set(token, grant);
    return token;
  }

  // A SuperIdToken with SuperOffice's claim set for the tenant's (administrator) user. The system user
  // token is included when the client belongs to a system-user application the tenant approved.
  function issueIdToken(tenant, clientId, { nonce, systemToken = true, claims: extra = {} }) {
    const client = clients.get(clientId);
    const grant = client ? tenant.grants.get(client.clientSecret) : undefined;
    const t = Math.floor(now() / 1000);
    const ctx = tenant.contextIdentifier;
    const user = ctx.toLowerCase();
    const urls = stand.tenantUrls(ctx);
    const claims = {
      iss: stand.issuer,
      aud: clientId,
      sub: crypto.createHash('sha256').update(`${ctx}\n${tenant.associateId}`).digest('hex').slice(0, 32),
      // SuperOffice writes iat as a string of digits; the other times are numbers.
      iat: stand.options.idTokenIatAsString ? String(t) : t,
      nbf: t,
      exp: t + stand.options.jwtLifetimeSeconds,
      ...(nonce !== undefined ? { nonce } : {}),
      [`${CLAIM}associateid`]: String(tenant.associateId),
      [`${CLAIM}identityprovider`]: 'central',
      [`${CLAIM}email`]: `admin@${user}.example`,
      [`${CLAIM}so_primary_email_address`]: `admin@${user}.example`,
      [`${CLAIM}upn`]: `admin@${user}.example`,
      [`${CLAIM}is_administrator`]: 'True',
      [`${CLAIM}firstname`]: 'Ada',
      [`${CLAIM}lastname`]: 'Admin',
      [`${CLAIM}initials`]: 'AA',
      [`${CLAIM}personid`]: String(tenant.associateId),
      [`${CLAIM}company_name`]: tenant.companyName,
      [`${CLAIM}ctx`]: ctx,
      [`${CLAIM}serial`]: tenant.serial,
      [`${CLAIM}netserver_url`]: urls.netserverUrl,
      [`${CLAIM}webapi_url`]: urls.webapiUrl,
    };
    if (systemToken && grant && grant.status === 'active') claims[`${CLAIM}system_token`] = grant.systemUserToken;
    for (const [name, value] of Object.entries(extra)) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    stand.stats.idTokensIssued += 1;
    return signJwt(claims, stand.signingKey());
  }

  const methods = {
    /**
     * Register an OAuth client (for the authorize and token endpoints and id_tokens) by its id and
     * secret. With `redirectUris`, the authorize endpoint accepts only those, exactly; without, any.
     */
    registerClient({ clientId, clientSecret, redirectUris } = {}) {
      requireString('clientId', clientId);
      requireString('clientSecret', clientSecret);
      checkRedirectUris(redirectUris);
      clients.set(clientId, { clientSecret, redirectUris });
      return stand.mock;
    },
    /**
     * The SuperIdToken a tenant administrator's approval sends to the application's redirect URL:
     * iss = the stand-in's issuer, aud = clientId, the nonce given, SuperOffice's identity claims, and
     * the system user token when the client's application is approved for the tenant (unless
     * `systemToken: false`). `claims` adds or replaces claims (undefined removes one), for tests.
     */
    issueSuperIdToken({ contextIdentifier, clientId, nonce, systemToken = true, claims = {} } = {}) {
      requireString('contextIdentifier', contextIdentifier);
      requireString('clientId', clientId);
      if (nonce !== undefined) requireString('nonce', nonce);
      const tenant = tenants.get(contextIdentifier);
      if (!tenant) throw new TypeError('unknown tenant');
      if (!clients.has(clientId)) throw new TypeError('clientId is not registered');
      return issueIdToken(tenant, clientId, { nonce, systemToken, claims });
    },
    /**
     * A refresh token for a user of the tenant, as the authorization-code grant would have issued it.
     * `rotate`: each refresh answers with a new refresh token and retires the one used.
     * `lifetimeSeconds`: default unlimited. `redirectUri`: a refresh naming another one is refused.
     */
    issueRefreshToken({ clientId, contextIdentifier, rotate = false, lifetimeSeconds, redirectUri } = {}) {
      requireString('clientId', clientId);
      requireString('contextIdentifier', contextIdentifier);
      if (!clients.has(clientId)) throw new TypeError('clientId is not registered');
      if (!tenants.has(contextIdentifier)) throw new TypeError('unknown tenant');
      if (lifetimeSeconds !== undefined && !(Number.isFinite(lifetimeSeconds) && lifetimeSeconds > 0))
        throw new TypeError('lifetimeSeconds must be positive');
      if (redirectUri !== undefined) requireString('redirectUri', redirectUri);
      return newRefreshToken({
        clientId,
        contextIdentifier,
        status: 'active',
        rotate: Boolean(rotate),
        redirectUri,
        expiresAt: lifetimeSeconds === undefined ? Infinity : now() + lifetimeSeconds * 1000,
      });
    },
    /** Revoke a refresh token (the user withdrew consent): the token endpoint answers invalid_grant. */
    revokeRefreshToken(token) {
      const grant = refreshTokens.get(token);
      if (grant) grant.status = 'revoked';
      return Boolean(grant);
    },
    /** Make a refresh token expired now: the token endpoint answers invalid_grant. */
    expireRefreshToken(token) {
      const grant = refreshTokens.get(token);
      if (grant) grant.expiresAt = now();
      return Boolean(grant);
    },
    /** Make the tenant API answer 401 for an access token. */
    revokeAccessToken(token) {
      const access = accessTokens.get(token);
      if (access) access.revoked = true;
      return Boolean(access);
    },
  };

  return { route, handle, methods };
}

// Sends the authorization response back through the browser: a 302 to the redirect URI with the
// parameters in its query or fragment, or (form_post, OpenID Connect Form Post Response Mode) a page
// whose form the browser posts to it at once.
function deliver(res, redirectUri, mode, params) {
  const encoded = new URLSearchParams(params).toString();
  if (mode === 'form_post') {
    const inputs = Object.entries(params)
      .map(([name, value]) => `<input type="hidden" name="${htmlEscape(name)}" value="${htmlEscape(value)}"/>`)
      .join('');
    const page = `<!DOCTYPE html><html><head><title>Submit</title></head><body onload="document.forms[0].submit()"><form method="post" action="${htmlEscape(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
    return send(res, 200, 'text/html; charset=utf-8', page, { 'Cache-Control': 'no-store' });
  }
  const location =
    mode === 'fragment'
      ? `${redirectUri}#${encoded}`
      : `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${encoded}`;
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
  return res.end();
}

function htmlEscape(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

module.exports = {
  endpoints: ['jwks', 'openidConfiguration', 'authorize', 'tokens'],
  counters: ['accessTokensIssued', 'idTokensIssued', 'codesIssued'],
  perTenant: false,
  host: 'login',
  create,
};
