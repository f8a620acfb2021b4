// The same package through `require`: one module, same classes, same behaviour.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const auth = require('superoffice-auth');

test('require() exposes the whole core API', () => {
  for (const name of ['signToken', 'buildTicketRequest', 'parseTicketResponse', 'validateToken', 'authHeaders']) {
    assert.equal(typeof auth[name], 'function', name);
  }
  assert.equal(typeof auth.PrivateKey.parse, 'function');
  assert.equal(typeof auth.KeySet.from, 'function');
  assert.ok(auth.ERROR_CODES.includes('ERR_JWT_EXPIRED'));
});

test('require() and import() share one module instance', async () => {
  const esm = await import('superoffice-auth');
  assert.equal(esm.SuperOfficeAuthError, auth.SuperOfficeAuthError);
  assert.equal(esm.PrivateKey, auth.PrivateKey);
});

test('signing through require() verifies under node:crypto', () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs1' });
  const signed = auth.signToken('CJS-token', pem, { now: 0 });
  assert.ok(signed.startsWith('CJS-token.197001010000.'));
  const signature = Buffer.from(signed.split('.')[2], 'base64');
  assert.ok(crypto.verify('sha256', Buffer.from('CJS-token.197001010000'), publicKey, signature));
});

test('errors thrown through require() are SuperOfficeAuthError with a code', () => {
  assert.throws(
    () => auth.PrivateKey.parse('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'),
    (error) => {
      assert.ok(error instanceof auth.SuperOfficeAuthError);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'SuperOfficeAuthError');
      assert.equal(error.code, 'ERR_KEY_INVALID');
      return true;
    },
  );
});
