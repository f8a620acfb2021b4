// One argument module for every entry: the same value gets the same verdict from a pure function and
// from a client, at construction as at use. Loopback only where a client needs a host to name.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  buildAgentRequest,
  buildAuthorizationCodeRequest,
  buildRefreshTokenRequest,
  buildTenantStateRequest,
  buildTicketRequest,
  createAuthorizationRequest,
  createMemoryCache,
  createMemoryWebhookEventStore,
  createRefreshTokenClient,
  createSystemUserClient,
  createWebhookHandler,
  parseAgentResponse,
  parseAuthorizationResponse,
  parseSuperIdToken,
  parseTenantState,
  parseTicketResponse,
  parseTokenResponse,
  signToken,
  validateToken,
} from 'superoffice-auth';
import { makeKeyPair } from './helpers/independent.mjs';

const keys = makeKeyPair();
const refused = (fn, what) =>
  assert.throws(fn, (err) => err.code === 'ERR_INVALID_ARGUMENT', `${what}: should be ERR_INVALID_ARGUMENT`);
const notRefusedAsArgument = (fn, what) => {
  try {
    fn();
  } catch (err) {
    assert.notEqual(err.code, 'ERR_INVALID_ARGUMENT', `${what}: ${err.message}`);
  }
};

const systemUserOptions = (extra = {}) => ({
  baseUrl: 'http://127.0.0.1:9',
  applicationToken: 'app',
  privateKey: keys.pkcs8,
  ...extra,
});
const refreshOptions = (extra = {}) => ({
  baseUrl: 'http://127.0.0.1:9',
  issuer: 'http://127.0.0.1:9',
  clientId: 'client',
  clientSecret: 'secret',
  refreshToken: 'refresh',
  ...extra,
});
const response = { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
const jwt = 'eyJhbGciOiJSUzI1NiJ9.e30.AAAA';

// Every entry that takes options, called with them plus `extra`.
const ENTRIES = {
  signToken: (extra) => signToken('token', keys.pkcs8, { now: 0, ...extra }),
  buildTicketRequest: (extra) =>
    buildTicketRequest({
      baseUrl: 'https://example.com',
      applicationToken: 'app',
      contextIdentifier: 'Cust1',
      signedSystemToken: 's.200001010000.AAAA',
      ...extra,
    }),
  parseTicketResponse: (extra) => parseTicketResponse(response, { keys: keys.spki, ...extra }),
  validateToken: (extra) => validateToken(jwt, { keys: keys.spki, ...extra }),
  parseSuperIdToken: (extra) =>
    parseSuperIdToken(jwt, { keys: keys.spki, environment: 'sod', clientId: 'c', ...extra }),
  buildRefreshTokenRequest: (extra) =>
    buildRefreshTokenRequest({ environment: 'sod', clientId: 'c', clientSecret: 's', refreshToken: 'r', ...extra }),
  parseTokenResponse: (extra) => parseTokenResponse(response, { ...extra }),
  createAuthorizationRequest: (extra) =>
    createAuthorizationRequest({ environment: 'sod', clientId: 'c', redirectUri: 'https://app.example/cb', ...extra }),
  parseAuthorizationResponse: (extra) => parseAuthorizationResponse('code=x&state=s', { state: 's', ...extra }),
  buildAuthorizationCodeRequest: (extra) =>
    buildAuthorizationCodeRequest({
      environment: 'sod',
      clientId: 'c',
      clientSecret: 's',
      code: 'x',
      redirectUri: 'https://app.example/cb',
      codeVerifier: 'v'.repeat(43),
      ...extra,
    }),
  buildAgentRequest: (extra) =>
    buildAgentRequest({
      protocol: 'soap',
      netserverUrl: 'https://example.com/Cust1/Remote/Services88/',
      agent: 'Associate',
      method: 'GetAssociate',
      ticket: '7T:x',
      applicationToken: 'app',
      ...extra,
    }),
  parseAgentResponse: (extra) => parseAgentResponse(response, { protocol: 'soap', method: 'GetAssociate', ...extra }),
  buildTenantStateRequest: (extra) =>
    buildTenantStateRequest({ environment: 'sod', contextIdentifier: 'Cust1', ...extra }),
  parseTenantState: (extra) => parseTenantState(response, { environment: 'sod', contextIdentifier: 'Cust1', ...extra }),
  createSystemUserClient: (extra) => createSystemUserClient(systemUserOptions(extra)),
  createRefreshTokenClient: (extra) => createRefreshTokenClient(refreshOptions(extra)),
  createMemoryCache: (extra) => createMemoryCache({ ...extra }),
  createWebhookHandler: (extra) => createWebhookHandler({ secret: 'secret', onEvent() {}, ...extra }),
  createMemoryWebhookEventStore: (extra) => createMemoryWebhookEventStore({ ...extra }),
};

test('a misspelled option is refused by every entry, pure function or client', () => {
  for (const [name, call] of Object.entries(ENTRIES)) {
    notRefusedAsArgument(() => call({}), `${name} with good options`);
    assert.throws(
      () => call({ leewaySecond: 60 }),
      (err) => err.code === 'ERR_INVALID_ARGUMENT' && /unknown option leewaySecond/.test(err.message),
      name,
    );
  }
});

test('leewaySeconds: one rule (an integer from 0 to 3600) at construction as at use', () => {
  const takers = {
    parseTicketResponse: ENTRIES.parseTicketResponse,
    validateToken: ENTRIES.validateToken,
    parseSuperIdToken: ENTRIES.parseSuperIdToken,
    parseTokenResponse: (extra) =>
      parseTokenResponse(response, { keys: keys.spki, environment: 'sod', clientId: 'c', ...extra }),
    createSystemUserClient: ENTRIES.createSystemUserClient,
    createRefreshTokenClient: ENTRIES.createRefreshTokenClient,
  };
  for (const [name, call] of Object.entries(takers)) {
    for (const leewaySeconds of [1.5, -1, 3601, '60', Number.NaN, Infinity, true]) {
      refused(() => call({ leewaySeconds }), `${name} leewaySeconds ${String(leewaySeconds)}`);
    }
    for (const leewaySeconds of [0, 60, 3600]) {
      notRefusedAsArgument(() => call({ leewaySeconds }), `${name} leewaySeconds ${leewaySeconds}`);
    }
  }
});

test("transport: the core's rule (soap or rest, ASCII case ignored) in the pure function and the client", () => {
  // src/ticket/request.rs Transport::parse: eq_ignore_ascii_case, nothing else.
  for (const transport of ['soap', 'rest', 'SOAP', 'Rest', undefined]) {
    const request = ENTRIES.buildTicketRequest({ transport });
    const rest = typeof transport === 'string' && transport.toLowerCase() === 'rest';
    assert.equal(/\/api\/PartnerSystemUser\/Authenticate$/i.test(request.url), rest, String(transport));
    notRefusedAsArgument(() => ENTRIES.createSystemUserClient({ transport }), `client transport ${transport}`);
  }
  for (const transport of ['xml', '', ' soap', 'soap ', 'ſoap', 'REST\u0000', 1]) {
    refused(
      () => ENTRIES.buildTicketRequest({ transport }),
      `buildTicketRequest transport ${JSON.stringify(transport)}`,
    );
    refused(() => ENTRIES.createSystemUserClient({ transport }), `client transport ${JSON.stringify(transport)}`);
  }
});

test('strings: empty and non-string values get one verdict from pure functions and clients', () => {
  for (const applicationToken of ['', 5, {}, []]) {
    refused(
      () => ENTRIES.buildTicketRequest({ applicationToken }),
      `buildTicketRequest applicationToken ${JSON.stringify(applicationToken)}`,
    );
    refused(
      () => ENTRIES.createSystemUserClient({ applicationToken }),
      `client applicationToken ${JSON.stringify(applicationToken)}`,
    );
  }
  for (const clientSecret of ['', 5]) {
    refused(() => ENTRIES.buildRefreshTokenRequest({ clientSecret }), 'buildRefreshTokenRequest clientSecret');
    refused(() => ENTRIES.createRefreshTokenClient({ clientSecret }), 'refresh client clientSecret');
  }
  // An optional string that is absent may be undefined or null, everywhere.
  notRefusedAsArgument(() => ENTRIES.buildRefreshTokenRequest({ redirectUri: null }), 'pure redirectUri null');
  notRefusedAsArgument(() => ENTRIES.createRefreshTokenClient({ redirectUri: null }), 'client redirectUri null');
});
