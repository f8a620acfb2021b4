// The client and the stand-in through require(): the CommonJS entry points a CJS service uses.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { generateKeyPairSync } = require('node:crypto');
const { createSystemUserClient, SuperOfficeAuthError } = require('superoffice-auth');
const { startMockSuperOffice } = require('superoffice-auth/testing');

test('require: a ticket through the CommonJS entry points', async () => {
  const mock = await startMockSuperOffice();
  try {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    mock.registerApplication({ applicationToken: 'cjs-app', publicKey });
    mock.addTenant({ contextIdentifier: 'Cust1', systemUserToken: 'CjsApp-token' });
    const client = createSystemUserClient({
      baseUrl: mock.baseUrl,
      applicationToken: 'cjs-app',
      privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }),
    });
    const result = await client.getTicket({ contextIdentifier: 'Cust1', systemUserToken: 'CjsApp-token' });
    assert.match(result.ticket, /^7T:/);
    const res = await fetch(`${result.webapiUrl}v1/User/currentPrincipal`, {
      headers: await client.authHeaders('Cust1'),
    });
    assert.equal(res.status, 200);
    assert.throws(() => createSystemUserClient({}), SuperOfficeAuthError);
  } finally {
    await mock.close();
  }
});

test('require and import share one module: the same error class and client factory', async () => {
  const esm = await import('superoffice-auth');
  assert.equal(esm.createSystemUserClient, createSystemUserClient);
  assert.equal(esm.SuperOfficeAuthError, SuperOfficeAuthError);
  const testing = await import('superoffice-auth/testing');
  assert.equal(testing.startMockSuperOffice, startMockSuperOffice);
});
