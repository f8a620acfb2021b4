// The tenant state API's pure functions: the request, and the answer read into dates and names.
// SuperOffice's documentation of the API: docs/en/apps/tenant-status/check-status.md and
// status-page.md, docs/en/developer-portal/best-practices/tenant-status/check-status.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { SuperOfficeAuthError, buildTenantStateRequest, parseTenantState } from 'superoffice-auth';

const require = createRequire(import.meta.url);
const NOW = Date.UTC(2026, 1, 23, 9, 0, 0);

function rejects(fn, code, message) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof SuperOfficeAuthError, String(error));
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

const answer = (changes = {}, status = 200) => ({
  status,
  headers: new Headers({ 'content-type': 'application/json; charset=utf-8' }),
  body: JSON.stringify({
    ContextIdentifier: 'Cust12345',
    Endpoint: 'https://online2.superoffice.com/Cust12345',
    State: 'Running',
    IsRunning: true,
    ValidUntil: '2026-02-23T09:52:01.9342965Z',
    Api: 'https://online2.superoffice.com/Cust12345/api',
    ...changes,
  }),
});

test("the request goes to the environment's authentication host, as a GET with no body", () => {
  assert.deepEqual(buildTenantStateRequest({ environment: 'online', contextIdentifier: 'Cust12345' }), {
    url: 'https://online.superoffice.com/api/state/Cust12345',
    method: 'GET',
    headers: { Accept: 'application/json' },
  });
  assert.equal(
    buildTenantStateRequest({ environment: 'qaonline', contextIdentifier: 'Cust1' }).url,
    'https://qaonline.superoffice.com/api/state/Cust1',
  );
  assert.equal(
    buildTenantStateRequest({ baseUrl: 'http://127.0.0.1:4000/', contextIdentifier: 'Cust1' }).url,
    'http://127.0.0.1:4000/api/state/Cust1',
  );
  // The same function through require (the CommonJS entry shares the instance).
  assert.deepEqual(
    require('superoffice-auth').buildTenantStateRequest({ environment: 'sod', contextIdentifier: 'Cust1' }).url,
    'https://sod.superoffice.com/api/state/Cust1',
  );
});

test('request arguments are checked, and a misspelled option is an error', () => {
  rejects(
    () => buildTenantStateRequest({ environment: 'online', contextIdentifer: 'Cust1' }),
    'ERR_INVALID_ARGUMENT',
    /unknown option contextIdentifer/,
  );
  rejects(() => buildTenantStateRequest({ environment: 'online' }), 'ERR_INVALID_ARGUMENT');
  rejects(
    () =>
      buildTenantStateRequest({
        environment: 'online',
        baseUrl: 'https://online.superoffice.com',
        contextIdentifier: 'Cust1',
      }),
    'ERR_INVALID_ARGUMENT',
  );
  rejects(
    () => buildTenantStateRequest({ environment: 'online2', contextIdentifier: 'Cust1' }),
    'ERR_INVALID_ARGUMENT',
  );
  rejects(
    () => buildTenantStateRequest({ environment: 'online', contextIdentifier: '../Cust1' }),
    'ERR_INVALID_ARGUMENT',
  );
  rejects(
    () => buildTenantStateRequest({ environment: 'online', contextIdentifier: 'Cust1?x=1' }),
    'ERR_INVALID_ARGUMENT',
  );
  rejects(() => buildTenantStateRequest({ environment: 'online', contextIdentifier: 12345 }), 'ERR_INVALID_ARGUMENT');
  rejects(() => buildTenantStateRequest(null), 'ERR_INVALID_ARGUMENT');
});

test("SuperOffice's example answer reads into names, numbers and a Date", () => {
  const state = parseTenantState(answer(), { contextIdentifier: 'Cust12345', now: NOW, environment: 'online' });
  assert.deepEqual(state, {
    contextIdentifier: 'Cust12345',
    endpoint: 'https://online2.superoffice.com/Cust12345',
    apiUrl: 'https://online2.superoffice.com/Cust12345/api/',
    state: 'Running',
    stateCode: 2,
    isRunning: true,
    validUntil: new Date(Date.UTC(2026, 1, 23, 9, 52, 1, 934)),
  });
  assert.ok(state.validUntil instanceof Date);
});

test('states: by name or number, undocumented ones kept, IsRunning as documented', () => {
  const read = (changes) => parseTenantState(answer(changes), { contextIdentifier: 'Cust12345', now: NOW });
  assert.deepEqual([read({ State: 5 }).state, read({ State: 5 }).stateCode], ['OnlineMaintenance', 5]);
  const maintenance = read({ State: 'OfflineMaintenance', IsRunning: false, Endpoint: null, Api: null });
  assert.deepEqual(
    [maintenance.state, maintenance.stateCode, maintenance.isRunning, maintenance.endpoint],
    ['OfflineMaintenance', 6, false, null],
  );
  assert.deepEqual(
    [read({ State: 13, IsRunning: false }).state, read({ State: 13, IsRunning: false }).stateCode],
    [13, 13],
  );
  assert.deepEqual(
    [
      read({ State: 'Hibernating', IsRunning: false }).state,
      read({ State: 'Hibernating', IsRunning: false }).stateCode,
    ],
    ['Hibernating', null],
  );
  rejects(() => read({ State: 'Deleted' }), 'ERR_RESPONSE_MALFORMED', /disagree/);
});

test('ValidUntil in the past, or none, reads as now', () => {
  for (const ValidUntil of ['2020-10-05T09:52:01.9342965Z', null, undefined]) {
    const state = parseTenantState(answer({ ValidUntil }), { contextIdentifier: 'Cust12345', now: new Date(NOW) });
    assert.equal(state.validUntil.getTime(), NOW);
  }
});

test("endpoints: SuperOffice's domain, or the custom base's host", () => {
  const local = answer({ Endpoint: 'http://127.0.0.1:4002/Cust12345', Api: 'http://127.0.0.1:4002/Cust12345/api' });
  const state = parseTenantState(local, { contextIdentifier: 'Cust12345', now: NOW, baseUrl: 'http://127.0.0.1:4000' });
  assert.equal(state.endpoint, 'http://127.0.0.1:4002/Cust12345');
  assert.equal(state.apiUrl, 'http://127.0.0.1:4002/Cust12345/api/');
  rejects(
    () => parseTenantState(local, { contextIdentifier: 'Cust12345', now: NOW, environment: 'online' }),
    'ERR_RESPONSE_MALFORMED',
  );
  const app = parseTenantState(answer({ Endpoint: 'https://APP.superoffice.com:443/Cust12345/', Api: undefined }), {
    contextIdentifier: 'Cust12345',
    now: NOW,
  });
  assert.deepEqual([app.endpoint, app.apiUrl], ['https://app.superoffice.com/Cust12345', null]);
});

test('parse options are checked, and a misspelled option is an error', () => {
  rejects(
    () => parseTenantState(answer(), { contextIdentifier: 'Cust12345', now: NOW, baseURL: 'http://127.0.0.1:4000' }),
    'ERR_INVALID_ARGUMENT',
    /unknown option baseURL/,
  );
  rejects(() => parseTenantState(answer(), { now: NOW }), 'ERR_INVALID_ARGUMENT');
  rejects(
    () => parseTenantState(answer(), { contextIdentifier: 'Cust12345', now: 'yesterday' }),
    'ERR_INVALID_ARGUMENT',
  );
  rejects(
    () => parseTenantState(answer(), { contextIdentifier: 'Cust12345', environment: 'production' }),
    'ERR_INVALID_ARGUMENT',
  );
  rejects(() => parseTenantState(answer(), undefined), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseTenantState({ status: 99, body: '' }, { contextIdentifier: 'Cust12345' }), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseTenantState(answer({}, 503), { contextIdentifier: 'Cust12345' }), 'ERR_HTTP_STATUS');
});

test("ValidUntil agrees with V8's own calendar for 2 000 random times, fractions and offsets", () => {
  const MAX = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
  const pad = (n) => String(Math.abs(n)).padStart(2, '0');
  let seed = 20;
  const random = () => {
    // A small LCG: the same 2 000 cases on every run.
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 2000; i += 1) {
    const ms = Math.floor(14 * 3_600_000 + random() * (MAX - 28 * 3_600_000));
    const offset = Math.round((random() * 28 - 14) * 4) * 15; // minutes, -14:00..+14:00 in quarter hours
    const local = new Date(ms + offset * 60_000).toISOString(); // V8 formats the calendar date
    const digits = Math.floor(random() * 10);
    const fraction = digits === 0 ? '' : `.${`${local.slice(20, 23)}${'7'.repeat(7)}`.slice(0, digits)}`;
    const zone =
      offset === 0 && random() < 0.5
        ? 'Z'
        : `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
    const text = `${local.slice(0, 19)}${fraction}${zone}`;
    const precision = 10 ** Math.max(0, 3 - digits);
    const expected = Math.floor(ms / 1000) * 1000 + Math.floor((ms % 1000) / precision) * precision;
    const state = parseTenantState(answer({ ValidUntil: text }), { contextIdentifier: 'Cust12345', now: 0 });
    assert.equal(state.validUntil.getTime(), expected, text);
  }
});
