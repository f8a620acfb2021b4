// Node side of the runtime smoke suite: starts the stand-in on loopback and makes the test material
// (keys, tokens, hostile inputs) with node:crypto, so every runtime is held against an outside
// implementation and against what the Node entry computes from the same input.
import { createHmac, randomBytes, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';
import * as lib from 'superoffice-auth';
import { startMockSuperOffice } from 'superoffice-auth/testing';
import { b64url, makeKeyPair, mintJwt, soapResponse, systemUserClaims } from '../helpers/independent.mjs';
import { appKeys } from '../helpers/stand-in.mjs';

/** yyyyMMddHHmm in UTC, the timestamp SuperOffice's signed system token carries. */
function stamp(ms) {
  return new Date(ms).toISOString().replace(/[-T:]/g, '').slice(0, 12);
}

async function capture(request) {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
  });
  return { status: res.status, headers: { 'content-type': res.headers.get('content-type') }, body: await res.text() };
}

/** Starts the stand-in and returns `{ mock, fx }`; `fx` is plain JSON for any runtime. Close `mock`. */
export async function makeFixtures() {
  const mock = await startMockSuperOffice();
  const keys = appKeys();
  const applicationToken = `app-${randomBytes(16).toString('hex')}`;
  const systemUserToken = `MyApp tenant.1-${randomBytes(6).toString('base64url')}`;
  const tenant = { contextIdentifier: 'Cust1', systemUserToken };
  // The application is also an OAuth client (secret: the application token), so the stand-in issues
  // SuperIdTokens for it carrying the tenant's system user token.
  const appClientId = `app-client-${randomBytes(6).toString('hex')}`;
  mock.registerApplication({ applicationToken, publicKey: keys.publicKey, clientId: appClientId });
  mock.addTenant(tenant);

  const now = Date.now();
  const signedData = `${systemUserToken}.${stamp(now)}`;
  const signedToken = `${signedData}.${sign('sha256', Buffer.from(signedData), keys.privateKey).toString('base64')}`;

  // The stand-in's answers to both transports and its JWKS, captured once; runtimes parse them offline.
  const requests = {};
  const responses = {};
  const parsed = {};
  const jwks = await (await fetch(`${mock.baseUrl}/login/.well-known/jwks`)).text();
  const responsesAt = Date.now();
  for (const transport of ['soap', 'rest']) {
    requests[transport] = lib.buildTicketRequest({
      baseUrl: mock.baseUrl,
      transport,
      applicationToken,
      contextIdentifier: 'Cust1',
      signedSystemToken: signedToken,
    });
    responses[transport] = await capture(requests[transport]);
    const result = lib.parseTicketResponse(responses[transport], {
      keys: jwks,
      now: responsesAt,
      contextIdentifier: 'Cust1',
    });
    parsed[transport] = {
      ticket: result.ticket,
      expiresAt: result.expiresAt.getTime(),
      webapiUrl: result.webapiUrl,
      claims: result.claims,
    };
  }

  // A token from another issuer, for validateToken and the JWT error paths.
  const issuer = makeKeyPair(2048);
  const nowSeconds = Math.floor(now / 1000);
  const claims = {
    iss: 'https://issuer.example',
    aud: 'smoke',
    sub: 'someone',
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + 600,
  };
  const jwt = mintJwt({ alg: 'RS256', typ: 'JWT' }, claims, issuer.privateKey);
  const [header, payload] = jwt.split('.');
  const otherSignature = mintJwt(
    { alg: 'RS256', typ: 'JWT' },
    { ...claims, sub: 'someone else' },
    issuer.privateKey,
  ).split('.')[2];

  const small = makeKeyPair(1024);
  const noTicketToken = mintJwt(
    { alg: 'RS256', typ: 'JWT' },
    systemUserClaims(nowSeconds, { 'http://schemes.superoffice.net/identity/ticket': undefined }),
    issuer.privateKey,
  );

  // The refresh-token client's side: an OAuth client and a refresh token for a second tenant.
  const clientId = `client-${randomBytes(6).toString('hex')}`;
  const clientSecret = `secret-${randomBytes(16).toString('hex')}`;
  mock.registerClient({ clientId, clientSecret });
  mock.addTenant({ contextIdentifier: 'Cust2', systemUser: false });
  const refreshToken = mock.issueRefreshToken({ clientId, contextIdentifier: 'Cust2' });

  const nonce = randomBytes(8).toString('hex');
  const superId = {
    clientId: appClientId,
    issuer: mock.issuer,
    nonce,
    idToken: mock.issueSuperIdToken({ contextIdentifier: 'Cust1', clientId: appClientId, nonce }),
    // A second one for the client's onboardTenant (a tenant onboarded, then its ticket by name alone).
    onboardToken: mock.issueSuperIdToken({ contextIdentifier: 'Cust1', clientId: appClientId, nonce }),
  };
  superId.expected = lib.parseSuperIdToken(superId.idToken, {
    keys: jwks,
    issuer: mock.issuer,
    clientId: appClientId,
    nonce,
    now,
  });
  const refreshRequestParams = {
    baseUrl: mock.baseUrl,
    clientId: 'a-client',
    clientSecret: 'a-secret',
    refreshToken: 'a-refresh-token',
    redirectUri: 'https://app.example/callback',
  };

  // A webhook delivery signed here with node:crypto (the raw bytes, CRLF and non-ASCII included), and a
  // tenant status notification the stand-in posts, captured on a loopback listener.
  const webhookSecret = `whsec-${randomBytes(12).toString('hex')}`;
  const eventId = randomUUID();
  const webhookBody = JSON.stringify(
    {
      EventId: eventId,
      Timestamp: new Date(now).toISOString().replace('Z', '0000Z'),
      Changes: ['name'],
      Event: 'contact.changed',
      PrimaryKey: 18,
      Entity: 'contact',
      ContextIdentifier: 'Cust1',
      ChangedByAssociateId: 5,
      WebhookName: 'Ødegård — smoke',
    },
    null,
    2,
  ).replace(/\n/g, '\r\n');
  const notification = await new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        res.end('OK');
        server.close();
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}/state`;
      mock.notifyTenantStatus({ url, contextIdentifier: 'Cust1', changeType: 'Suspend' }).catch(reject);
    });
  });
  const webhook = {
    secret: webhookSecret,
    eventId,
    body: webhookBody,
    signature: createHmac('sha256', Buffer.from(webhookSecret, 'utf8'))
      .update(Buffer.from(webhookBody, 'utf8'))
      .digest('base64'),
    notification,
    issuer: mock.issuer,
  };

  const fx = {
    errorCodes: lib.ERROR_CODES,
    webhook,
    baseUrl: mock.baseUrl,
    applicationToken,
    systemUserToken,
    tenant,
    now,
    keys: { pkcs1: keys.pkcs1, pkcs8: keys.pkcs8, xml: keys.xml },
    signedToken,
    requests,
    responses,
    responsesAt,
    parsed,
    jwks,
    jwksSize: JSON.parse(jwks).keys.length,
    token: { jwt, keys: issuer.spki, claims },
    hostile: {
      publicKeyPem: keys.spki,
      encryptedKey: keys.privateKey.export({
        format: 'pem',
        type: 'pkcs8',
        cipher: 'aes-256-cbc',
        passphrase: 'smoke',
      }),
      smallKey: small.pkcs8,
      soapFault: {
        status: 500,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>boom</faultstring></s:Fault></s:Body></s:Envelope>',
      },
      denied: {
        status: 200,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: soapResponse({ isSuccessful: false, errorMessage: 'Revoked' }),
      },
      noTicket: {
        status: 200,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: soapResponse({ token: noTicketToken }),
      },
      hs256Token: `${b64url({ alg: 'HS256', typ: 'JWT' })}.${payload}.${jwt.split('.')[2]}`,
      unknownKidToken: mintJwt({ alg: 'RS256', typ: 'JWT', kid: 'no-such-key' }, claims, issuer.privateKey),
      badSignatureToken: `${header}.${payload}.${otherSignature}`,
    },
    oauth: { options: { clientId, clientSecret, refreshToken }, issuer: mock.issuer, contextIdentifier: 'Cust2' },
    superId,
    refreshRequest: { params: refreshRequestParams, expected: lib.buildRefreshTokenRequest(refreshRequestParams) },
    secrets: [
      applicationToken,
      systemUserToken,
      webhookSecret,
      clientSecret,
      refreshToken,
      keys.pkcs8.split('\n')[1],
      keys.pkcs1.split('\n')[1],
      /<D>([^<]{40})/.exec(keys.xml)[1],
      /<P>([^<]{40})/.exec(keys.xml)[1],
    ],
  };
  return { mock, fx };
}
