// Loaded with --import before each documentation block (see docs-blocks.mjs for what it provides).
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import * as superofficeAuth from 'superoffice-auth';

const fixtures = JSON.parse(readFileSync(process.env.DOCS_FIXTURES, 'utf8'));
register('./docs-hooks.mjs', import.meta.url, { data: { repo: process.env.SUPEROFFICE_AUTH_REPO ?? null } });

for (const [name, value] of Object.entries(superofficeAuth)) {
  if (name !== 'default' && !(name in globalThis)) globalThis[name] = value;
}

const store = new Map();
Object.assign(globalThis, {
  applicationToken: fixtures.applicationToken,
  privateKey: fixtures.privateKeyXml,
  xmlOrPem: fixtures.privateKeyXml,
  contextIdentifier: fixtures.contextIdentifier,
  systemUserToken: fixtures.systemUserToken,
  systemUserTokens: { [fixtures.contextIdentifier]: fixtures.systemUserToken },
  federatedLoginCertificatePem: fixtures.federatedLoginCertificatePem,
  clientId: fixtures.clientId,
  clientSecret: fixtures.clientSecret,
  nonce: fixtures.nonce,
  req: { body: { id_token: fixtures.idToken } },
  user: 'user-1',
  webapiUrl: fixtures.webapiUrl,
  session: {},
  db: {
    async saveTenant(contextIdentifier, record) {
      store.set(`tenant:${contextIdentifier}`, record);
    },
    async loadTenant(contextIdentifier) {
      return store.get(`tenant:${contextIdentifier}`);
    },
    async loadRefreshToken(user) {
      return store.get(`refresh:${user}`) ?? fixtures.refreshToken;
    },
    async saveRefreshToken(user, token) {
      store.set(`refresh:${user}`, token);
    },
  },
  // A block's warnings and errors are failures: the test requires an empty stderr.
  log: {
    info() {},
    debug() {},
    warn: (...args) => console.error('log.warn', ...args),
    error: (...args) => console.error('log.error', ...args),
  },
});

// SuperOffice's hosts are the stand-in here; everything else goes where it says (loopback only).
const SUPEROFFICE_HOST = /^(sod|stage|qaonline|online)\.superoffice\.com$/;
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const href = typeof input === 'string' ? input : (input?.href ?? input?.url);
  const url = new URL(href);
  if (SUPEROFFICE_HOST.test(url.hostname)) {
    const target = new URL(`${url.pathname}${url.search}`, fixtures.baseUrl);
    return realFetch(target.href, init);
  }
  return realFetch(input, init);
};

/** Appended to every block: it ran to its end (every top-level await settled). */
globalThis.__docsBlockDone = () => {
  process.stdout.write('\n[docs-block-done]\n');
  // A block may leave a connection open (a Redis client); reaching the end is what counts.
  setImmediate(() => process.exit(0));
};
