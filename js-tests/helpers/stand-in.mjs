// Shared set-up for the client, CLI and example tests: the stand-in with one application and a few
// tenants, the application's key in every form, and a list of the secrets that must never leak.
import { randomBytes } from 'node:crypto';
import { startMockSuperOffice } from 'superoffice-auth/testing';
import { makeKeyPair } from './independent.mjs';

let sharedKeys;
/** One application key pair per test process: generating RSA keys is the slow part of set-up. */
export function appKeys() {
  sharedKeys ??= makeKeyPair(2048);
  return sharedKeys;
}

/**
 * Starts the stand-in with one registered application and `tenants` tenants (Cust1, Cust2, ...).
 * Returns { mock, applicationToken, keys, tenants: { ctx: systemUserToken }, options(extra), secrets }.
 */
export async function standIn({ tenants = 1, mockOptions = {} } = {}) {
  const mock = await startMockSuperOffice(mockOptions);
  const keys = appKeys();
  const applicationToken = `app-${randomBytes(16).toString('hex')}`;
  mock.registerApplication({ applicationToken, publicKey: keys.publicKey });
  const tenantTokens = {};
  for (let i = 1; i <= tenants; i += 1) {
    // A space and a dot in the token: both occur in real ones and must survive signing and parsing.
    const systemUserToken = `MyApp tenant.${i}-${randomBytes(6).toString('base64url')}`;
    tenantTokens[`Cust${i}`] = systemUserToken;
    mock.addTenant({ contextIdentifier: `Cust${i}`, systemUserToken });
  }
  return {
    mock,
    applicationToken,
    keys,
    tenants: tenantTokens,
    /** createSystemUserClient options for this stand-in. */
    options: (extra = {}) => ({ baseUrl: mock.baseUrl, applicationToken, privateKey: keys.pkcs8, ...extra }),
    /** Strings no output, error or inspection may contain. */
    secrets: [
      applicationToken,
      ...Object.values(tenantTokens),
      keys.pkcs8.split('\n')[1],
      keys.pkcs1.split('\n')[1],
      /<D>([^<]{40})/.exec(keys.xml)[1],
      /<P>([^<]{40})/.exec(keys.xml)[1],
    ],
  };
}

/** Asserts that `text` contains none of `secrets`. */
export function assertNoSecrets(assert, text, secrets, where = 'output') {
  for (const secret of secrets) {
    assert.ok(!String(text).includes(secret), `${where} leaks a secret`);
  }
}

/** A clock tests move by hand; the stand-in and the client share it. */
export function fakeClock(start = Date.now()) {
  let t = start;
  const now = () => t;
  now.advance = (ms) => {
    t += ms;
  };
  return now;
}

/** Waits until `predicate()` holds (background work), failing after `ms`. */
export async function eventually(predicate, ms = 5000) {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Records unhandled rejections so a test file can assert there were none. */
export function watchUnhandledRejections() {
  const seen = [];
  process.on('unhandledRejection', (reason) => seen.push(reason));
  return seen;
}
