// The core API through `import`, checked against node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sign, verify } from 'node:crypto';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  KeySet,
  PrivateKey,
  SuperOfficeAuthError,
  authHeaders,
  buildTicketRequest,
  parseTicketResponse,
  signToken,
  validateToken,
} from 'superoffice-auth';
import { IDENTITY, b64url, makeKeyPair, mintJwt, soapResponse, systemUserClaims } from './helpers/independent.mjs';

const NOW = Date.UTC(2026, 10, 23, 14, 5, 30);
const NOW_S = Math.floor(NOW / 1000);
const signer = makeKeyPair(2048);
const issuer = makeKeyPair(2048);
const jwks = { keys: [{ ...issuer.publicJwk, kid: 'k1', use: 'sig', alg: 'RS256' }] };

function rejects(fn, code, extra = {}) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof SuperOfficeAuthError, `expected SuperOfficeAuthError, got ${error}`);
    assert.equal(error.code, code, error.message);
    for (const [name, value] of Object.entries(extra)) assert.equal(error[name], value, name);
    return true;
  });
}

test('signToken output verifies under node:crypto and equals its signature byte for byte', () => {
  const signed = signToken('MyApp-8k8Q7DmBgo', signer.pkcs1, { now: NOW });
  const [token, timestamp, signature] = [signed.slice(0, 16), signed.slice(17, 29), signed.slice(30)];
  assert.equal(token, 'MyApp-8k8Q7DmBgo');
  assert.equal(timestamp, '202611231405');
  const data = Buffer.from('MyApp-8k8Q7DmBgo.202611231405');
  assert.ok(verify('sha256', data, signer.publicKey, Buffer.from(signature, 'base64')));
  assert.equal(signature, sign('sha256', data, signer.privateKey).toString('base64'));
});

test('the same key as PKCS#1, PKCS#8, XML and a parsed PrivateKey signs identically', () => {
  const forms = [signer.pkcs1, signer.pkcs8, signer.xml, PrivateKey.parse(signer.xml), PrivateKey.parse(signer.pkcs8)];
  const outputs = new Set(forms.map((key) => signToken('Tenant token with spaces', key, { now: new Date(NOW) })));
  assert.equal(outputs.size, 1);
});

test('4096-bit keys sign too, and now defaults to the current minute', () => {
  const big = makeKeyPair(4096);
  const before = new Date();
  const signed = signToken('T', big.pkcs8);
  const stamp = (d) => d.toISOString().replace(/[-:T]/g, '').slice(0, 12);
  const timestamp = signed.split('.')[1];
  assert.ok([stamp(before), stamp(new Date())].includes(timestamp));
  const [data, signature] = [signed.slice(0, signed.lastIndexOf('.')), signed.slice(signed.lastIndexOf('.') + 1)];
  assert.ok(verify('sha256', Buffer.from(data), big.publicKey, Buffer.from(signature, 'base64')));
});

test('PrivateKey converts between forms and never shows its material', () => {
  const key = PrivateKey.parse(signer.xml);
  assert.equal(key.bits, 2048);
  assert.equal(key.toPem('pkcs1').trim(), signer.pkcs1.trim());
  assert.equal(key.toPem().trim(), signer.pkcs8.trim());
  assert.equal(key.toPem('pkcs8').trim(), signer.pkcs8.trim());
  assert.equal(PrivateKey.parse(key.toXml()).toPem(), key.toPem());
  const shown = inspect(key) + JSON.stringify(key) + String(key);
  assert.match(inspect(key), /2048 bits/);
  assert.doesNotMatch(shown, /MII|Modulus|BEGIN/);
  rejects(() => key.toPem('der'), 'ERR_INVALID_ARGUMENT');
});

test('bad keys are refused with codes that say what is wrong', () => {
  const small = makeKeyPair(1024);
  rejects(() => PrivateKey.parse(small.pkcs8), 'ERR_KEY_TOO_SMALL', { bits: 1024 });
  rejects(() => PrivateKey.parse(signer.spki), 'ERR_KEY_UNSUPPORTED');
  rejects(() => PrivateKey.parse('not a key'), 'ERR_KEY_INVALID');
  rejects(() => PrivateKey.parse(''), 'ERR_INVALID_ARGUMENT');
  rejects(() => PrivateKey.parse(42), 'ERR_INVALID_ARGUMENT');
  rejects(() => signToken('T', { pem: signer.pkcs8 }, { now: NOW }), 'ERR_INVALID_ARGUMENT');
  rejects(() => signToken('', signer.pkcs8, { now: NOW }), 'ERR_INVALID_ARGUMENT');
  rejects(() => signToken('T', signer.pkcs8, { now: 'yesterday' }), 'ERR_INVALID_ARGUMENT');
  rejects(() => signToken('T', signer.pkcs8, { now: new Date('invalid') }), 'ERR_INVALID_ARGUMENT');
});

test('buildTicketRequest: SOAP and REST descriptors ready for fetch', () => {
  const soap = buildTicketRequest({
    environment: 'sod',
    applicationToken: 'app&<secret>',
    contextIdentifier: 'Cust12345',
    signedSystemToken: 'a.b.c==',
  });
  assert.equal(soap.url, 'https://sod.superoffice.com/login/services/PartnerSystemUserService.svc');
  assert.equal(soap.method, 'POST');
  assert.equal(Object.getPrototypeOf(soap.headers), Object.prototype);
  assert.match(soap.headers['Content-Type'], /^text\/xml/);
  assert.match(soap.headers.SOAPAction, /IPartnerSystemUserService\/Authenticate/);
  assert.ok(soap.body.includes('app&amp;&lt;secret&gt;'));
  assert.ok(!soap.body.includes('app&<secret>'));

  const rest = buildTicketRequest({
    baseUrl: 'http://127.0.0.1:8080/',
    transport: 'rest',
    applicationToken: 'app',
    contextIdentifier: 'Cust1',
    signedSystemToken: 'x.y.z',
  });
  assert.equal(rest.url, 'http://127.0.0.1:8080/Login/api/PartnerSystemUser/Authenticate');
  assert.deepEqual(JSON.parse(rest.body), {
    SignedSystemToken: 'x.y.z',
    ApplicationToken: 'app',
    ContextIdentifier: 'Cust1',
    ReturnTokenType: 'JWT',
  });
  assert.equal(
    buildTicketRequest({
      environment: 'qaonline',
      applicationToken: 'a',
      contextIdentifier: 'c',
      signedSystemToken: 's',
    }).url,
    buildTicketRequest({ environment: 'stage', applicationToken: 'a', contextIdentifier: 'c', signedSystemToken: 's' })
      .url,
  );
  rejects(
    () =>
      buildTicketRequest({
        environment: 'prod',
        applicationToken: 'a',
        contextIdentifier: 'c',
        signedSystemToken: 's',
      }),
    'ERR_INVALID_ARGUMENT',
  );
  rejects(
    () => buildTicketRequest({ applicationToken: 'a', contextIdentifier: 'c', signedSystemToken: 's' }),
    'ERR_INVALID_ARGUMENT',
  );
  rejects(
    () =>
      buildTicketRequest({
        baseUrl: 'http://example.com',
        applicationToken: 'a',
        contextIdentifier: 'c',
        signedSystemToken: 's',
      }),
    'ERR_INVALID_ARGUMENT',
  );
  rejects(
    () =>
      buildTicketRequest({
        environment: 'sod',
        applicationToken: 'a',
        contextIdentifier: 'c',
        signedSystemToken: 's',
        transport: 'grpc',
      }),
    'ERR_INVALID_ARGUMENT',
  );
});

function ticketResponse(claims = systemUserClaims(NOW_S), header = { alg: 'RS256', typ: 'JWT', kid: 'k1' }) {
  return {
    status: 200,
    headers: { 'Content-Type': 'text/xml; charset=utf-8' },
    body: soapResponse({ token: mintJwt(header, claims, issuer.privateKey) }),
  };
}

test('parseTicketResponse: SOAP response with a node:crypto JWT gives the ticket', () => {
  const result = parseTicketResponse(ticketResponse(), { keys: jwks, now: NOW, contextIdentifier: 'Cust12345' });
  assert.equal(result.ticket, '7T:dGlja2V0LWZvci10ZXN0cw==');
  assert.equal(result.contextIdentifier, 'Cust12345');
  assert.equal(result.serial, 'SERIAL-42');
  assert.equal(result.webapiUrl, 'https://sod2.superoffice.com/Cust12345/api/');
  assert.equal(result.netserverUrl, 'https://sod2.superoffice.com/Cust12345/Remote/Services88');
  assert.equal(result.isAdministrator, false);
  assert.ok(result.expiresAt instanceof Date);
  assert.equal(result.expiresAt.getTime(), (NOW_S + 300) * 1000);
  assert.equal(result.claims[`${IDENTITY}ctx`], 'Cust12345');
  assert.doesNotMatch(inspect(result, { depth: 5 }), /7T:/);
  assert.match(JSON.stringify(result), /7T:/);
});

test('parseTicketResponse: REST, Headers objects, pinned SPKI, KeySet and string JWKS', () => {
  const token = mintJwt({ alg: 'RS256', kid: 'k1' }, systemUserClaims(NOW_S), issuer.privateKey);
  const rest = {
    status: 200,
    headers: new Headers({ 'content-type': 'application/json; charset=utf-8' }),
    body: JSON.stringify({ IsSuccessful: true, Token: token, ErrorMessage: null }),
  };
  for (const keys of [issuer.spki, [issuer.spki], KeySet.from(jwks), JSON.stringify(jwks)]) {
    assert.equal(parseTicketResponse(rest, { keys, now: NOW }).ticket, '7T:dGlja2V0LWZvci10ZXN0cw==');
  }
  assert.equal(KeySet.from(jwks).size, 1);
});

test('parseTicketResponse: denials, faults and HTTP errors carry their details', () => {
  const opts = { keys: jwks, now: NOW };
  rejects(
    () =>
      parseTicketResponse(
        { status: 200, headers: {}, body: soapResponse({ isSuccessful: false, errorMessage: 'InvalidSignature' }) },
        opts,
      ),
    'ERR_TICKET_DENIED',
    { reason: 'InvalidSignature', serverMessage: 'InvalidSignature' },
  );
  const fault =
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>' +
    '<faultcode>s:Client</faultcode><faultstring>Bad request</faultstring></s:Fault></s:Body></s:Envelope>';
  rejects(
    () => parseTicketResponse({ status: 500, headers: { 'content-type': 'text/xml' }, body: fault }, opts),
    'ERR_SOAP_FAULT',
    { faultCode: 's:Client', faultString: 'Bad request' },
  );
  rejects(() => parseTicketResponse({ status: 502, headers: {}, body: 'Bad gateway' }, opts), 'ERR_HTTP_STATUS', {
    status: 502,
  });
  rejects(() => parseTicketResponse({ status: 200, headers: {}, body: '<a><b></a>' }, opts), 'ERR_RESPONSE_MALFORMED');
  rejects(
    () => parseTicketResponse({ status: 200, headers: {}, body: 'x'.repeat(10 * 1024 * 1024) }, opts),
    'ERR_RESPONSE_TOO_LARGE',
  );
  rejects(
    () => parseTicketResponse({ status: 200, headers: {}, body: '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>' }, opts),
    'ERR_XML_FORBIDDEN',
  );
});

test('parseTicketResponse: the JWT inside is held to issuer, audience, expiry and tenant', () => {
  const opts = { keys: jwks, now: NOW };
  const cases = [
    [{ iss: 'SuperOffice AS/' }, 'ERR_JWT_CLAIM_INVALID', 'iss'],
    [{ aud: 'spn:OTHER' }, 'ERR_JWT_CLAIM_INVALID', 'aud'],
    [{ exp: NOW_S - 120 }, 'ERR_JWT_EXPIRED'],
    [{ nbf: NOW_S + 600 }, 'ERR_JWT_NOT_YET_VALID'],
    [{ exp: undefined }, 'ERR_JWT_CLAIM_INVALID', 'exp'],
    [{ [`${IDENTITY}ticket`]: undefined }, 'ERR_TICKET_MISSING'],
  ];
  for (const [overrides, code, claim] of cases) {
    const response = ticketResponse(JSON.parse(JSON.stringify(systemUserClaims(NOW_S, overrides))));
    rejects(() => parseTicketResponse(response, opts), code, claim ? { claim } : {});
  }
  rejects(
    () => parseTicketResponse(ticketResponse(), { ...opts, contextIdentifier: 'Cust999' }),
    'ERR_JWT_CLAIM_INVALID',
  );
  // Within the default 60 s leeway, and outside a leeway of 0.
  const late = ticketResponse(systemUserClaims(NOW_S - 330));
  assert.ok(parseTicketResponse(late, opts).ticket);
  rejects(() => parseTicketResponse(late, { ...opts, leewaySeconds: 0 }), 'ERR_JWT_EXPIRED');
  rejects(() => parseTicketResponse(late, { ...opts, leewaySeconds: -1 }), 'ERR_INVALID_ARGUMENT');
});

test('validateToken: node:crypto JWTs validate; tampered ones do not', () => {
  const claims = { iss: 'https://sod.superoffice.com', aud: 'client-id', nonce: 'n-1', exp: NOW_S + 60 };
  const good = mintJwt({ alg: 'RS256', kid: 'k1' }, claims, issuer.privateKey);
  const opts = { keys: jwks, now: NOW, issuer: claims.iss, audience: 'client-id', nonce: 'n-1' };
  assert.deepEqual(validateToken(good, opts), claims);

  const [h, p, s] = good.split('.');
  const flipped = Buffer.from(s, 'base64url');
  flipped[10] ^= 1;
  const rows = [
    [`${h}.${b64url({ ...claims, aud: 'other' })}.${s}`, 'ERR_JWT_SIGNATURE_INVALID'],
    [`${h}.${p}.${flipped.toString('base64url')}`, 'ERR_JWT_SIGNATURE_INVALID'],
    [`${b64url({ alg: 'none' })}.${p}.`, 'ERR_JWT_MALFORMED'],
    [`${b64url({ alg: 'HS256' })}.${p}.${s}`, 'ERR_JWT_ALG_NOT_ALLOWED'],
    [mintJwt({ alg: 'RS256', kid: 'k1' }, claims, signer.privateKey), 'ERR_JWT_SIGNATURE_INVALID'],
    [mintJwt({ alg: 'RS256', kid: 'unknown' }, claims, issuer.privateKey), 'ERR_JWT_KEY_NOT_FOUND'],
    [`${good}.`, 'ERR_JWT_MALFORMED'],
    [` ${good}`, 'ERR_JWT_MALFORMED'],
    [`${h}.${p}.${s}==`, 'ERR_JWT_MALFORMED'],
    [`${good}${'A'.repeat(17 * 1024)}`, 'ERR_JWT_MALFORMED'],
  ];
  for (const [token, code] of rows) {
    rejects(() => validateToken(token, opts), code);
    // The instance keeps working after every failure.
    assert.equal(validateToken(good, opts).nonce, 'n-1');
  }
  rejects(() => validateToken(good, { ...opts, nonce: 'n-2' }), 'ERR_JWT_CLAIM_INVALID', { claim: 'nonce' });
  rejects(() => validateToken(good, { ...opts, audience: 'CLIENT-ID' }), 'ERR_JWT_CLAIM_INVALID', { claim: 'aud' });
  rejects(() => validateToken(good, { now: NOW }), 'ERR_INVALID_ARGUMENT');
  rejects(() => validateToken(good, { keys: 7, now: NOW }), 'ERR_INVALID_ARGUMENT');
});

test('a kid picks among keys that have one and falls through to keys that have none', () => {
  const claims = { exp: NOW_S + 60 };
  const token = mintJwt({ alg: 'RS256', kid: 'not-in-the-set' }, claims, issuer.privateKey);
  // A pinned SPKI has no kid: the token's kid falls through to it.
  assert.deepEqual(validateToken(token, { keys: issuer.spki, now: NOW }), claims);
  const other = { ...signer.publicJwk, kid: 'k2' };
  const mixed = { keys: [other, { ...issuer.publicJwk }] };
  assert.deepEqual(validateToken(token, { keys: mixed, now: NOW }), claims);
  rejects(() => validateToken(token, { keys: { keys: [other] }, now: NOW }), 'ERR_JWT_KEY_NOT_FOUND');
});

test("SuperOffice's real Federated Login certificates load as keys", (t) => {
  const dir =
    process.env.SUPEROFFICE_AUTH_REPO &&
    join(process.env.SUPEROFFICE_AUTH_REPO, '..', 'shared', 'reference', 'superoffice-certificates');
  if (!dir || !existsSync(dir)) return t.skip('reference certificates are not on this machine');
  const files = readdirSync(dir).filter((name) => name.endsWith('.crt'));
  assert.ok(files.length >= 3);
  for (const name of files) assert.equal(KeySet.from(readFileSync(join(dir, name), 'utf8')).size, 1, name);
  const bundle = files.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
  assert.equal(KeySet.from(bundle).size, files.length);
});

test('authHeaders', () => {
  assert.deepEqual(authHeaders('7T:abc', 'app'), { Authorization: 'SOTicket 7T:abc', 'SO-AppToken': 'app' });
  rejects(() => authHeaders('7T:abc\r\nX: y', 'app'), 'ERR_INVALID_ARGUMENT');
  rejects(() => authHeaders(undefined, 'app'), 'ERR_INVALID_ARGUMENT');
});

test('wrong types from JavaScript are ERR_INVALID_ARGUMENT, never a crash', () => {
  const junk = [undefined, null, 1, {}, [], Symbol('s'), () => 1, 10n];
  for (const value of junk) {
    rejects(() => signToken(value, signer.pkcs8, { now: NOW }), 'ERR_INVALID_ARGUMENT');
    rejects(() => parseTicketResponse(value, { keys: jwks }), 'ERR_INVALID_ARGUMENT');
    rejects(() => validateToken(value, { keys: jwks }), 'ERR_INVALID_ARGUMENT');
    rejects(() => buildTicketRequest(value), 'ERR_INVALID_ARGUMENT');
  }
  rejects(() => parseTicketResponse({ status: 200, body: 5 }, { keys: jwks }), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseTicketResponse({ status: 99, body: '' }, { keys: jwks }), 'ERR_INVALID_ARGUMENT');
  // Still alive.
  assert.ok(signToken('T', signer.pkcs8, { now: NOW }));
});
