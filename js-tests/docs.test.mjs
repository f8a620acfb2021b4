// The documentation's code runs: every ```js block of README.md and docs/migrating-from-the-sample.md,
// each in its own Node process as an ES module, against the installed package and the stand-in (see
// helpers/docs-blocks.mjs for what a block may use without defining it, and the no-run marker).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startMockSuperOffice } from 'superoffice-auth/testing';
import { extractBlocks } from './helpers/docs-blocks.mjs';
import { appKeys } from './helpers/stand-in.mjs';
import { startRedis } from './helpers/redis-server.mjs';

const repo = process.env.SUPEROFFICE_AUTH_REPO;
const here = fileURLToPath(new URL('.', import.meta.url));
const DOCUMENTS = ['README.md', 'docs/migrating-from-the-sample.md'];

let mock;
let redis = null;
let workDir;
let fixturesFile;
const env = {};

before(async () => {
  assert.ok(repo, 'SUPEROFFICE_AUTH_REPO is not set: run these tests through `npm test`');
  // The blocks use environment 'online'; the prelude's fetch routes online.superoffice.com here, and the
  // tenants' URLs name that host too (a client sends tickets only to SuperOffice's hosts).
  mock = await startMockSuperOffice({
    issuer: 'https://online.superoffice.com',
    tenantBaseUrl: 'https://online.superoffice.com',
  });
  const keys = appKeys();
  const applicationToken = `app-${randomBytes(16).toString('hex')}`;
  const clientId = `client-${randomBytes(8).toString('hex')}`;
  const contextIdentifier = 'Cust12345';
  const systemUserToken = 'MyApp-8k8Q7DmBgo';
  mock.registerApplication({ applicationToken, publicKey: keys.publicKey, clientId });
  mock.addTenant({ contextIdentifier, systemUserToken });
  const nonce = randomBytes(12).toString('base64url');
  const fixtures = {
    baseUrl: mock.baseUrl,
    applicationToken,
    clientId,
    clientSecret: applicationToken,
    contextIdentifier,
    systemUserToken,
    privateKeyXml: keys.xml,
    federatedLoginCertificatePem: mock.signingPublicKeyPem(),
    nonce,
    idToken: mock.issueSuperIdToken({ contextIdentifier, clientId, nonce }),
    refreshToken: mock.issueRefreshToken({ clientId, contextIdentifier }),
    webapiUrl: `https://online.superoffice.com/${contextIdentifier}/api/`,
  };
  // Blocks run inside the scratch project (so 'superoffice-auth' is the installed tarball), in a
  // folder holding the files a partner has: the key as issued, as PEM, and the pinned certificate.
  workDir = mkdtempSync(join(here, '..', 'docs-blocks-'));
  writeFileSync(join(workDir, 'private-key.xml'), keys.xml);
  writeFileSync(join(workDir, 'private-key.pem'), keys.pkcs8);
  writeFileSync(join(workDir, 'SuperOfficeFederatedLogin.crt'), fixtures.federatedLoginCertificatePem);
  fixturesFile = join(workDir, 'fixtures.json');
  writeFileSync(fixturesFile, JSON.stringify(fixtures));
  Object.assign(env, {
    SO_APPLICATION_TOKEN: applicationToken,
    TICKET_CACHE_KEY: randomBytes(32).toString('base64'),
  });
});

after(async () => {
  await mock?.close();
  await redis?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** The outputs a block claims in `console.log(...); // output` comments, quotes dropped as Node prints strings. */
export function expectedOutputs(code) {
  return [...code.matchAll(/console\.log\(.*\)\)?;?\s*\/\/\s*(.+)$/gm)].map((m) =>
    m[1].trim().replace(/'([^']*)'/g, '$1'),
  );
}

function runBlock(name, code) {
  const file = join(workDir, `${name}.mjs`);
  writeFileSync(file, `${code}\n;await globalThis.__docsBlockDone();\n`);
  const prelude = pathToFileURL(join(here, 'helpers', 'docs-prelude.mjs')).href;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--no-warnings', '--import', prelude, file],
      {
        cwd: workDir,
        timeout: 60_000,
        env: { ...process.env, ...env, DOCS_FIXTURES: fixturesFile },
      },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? error.signal) : 0, stdout, stderr }),
    );
  });
}

test('the extractor finds ```js blocks with their lines, skips ```js no-run and other languages', () => {
  const markdown = [
    '# t',
    '```js',
    'const a = 1;',
    '```',
    '',
    '```js no-run',
    'fragment(',
    '```',
    '```sh',
    'npm test',
    '```',
    '- item:',
    '  ```js',
    '  const b = 2;',
    '  ```',
  ].join('\n');
  const blocks = extractBlocks(markdown);
  assert.deepEqual(
    blocks.map(({ line, run, code }) => ({ line, run, code })),
    [
      { line: 2, run: true, code: 'const a = 1;' },
      { line: 6, run: false, code: 'fragment(' },
      { line: 13, run: true, code: 'const b = 2;' },
    ],
  );
  assert.throws(() => extractBlocks('```js\nnever closed'), /unclosed code block at line 1/);
  assert.deepEqual(
    expectedOutputs(
      "console.log(a, 'x'); // true 'Cust1' 2\nconsole.log(b);\nf().catch((e) => console.log(e.code)); // ERR_X",
    ),
    ['true Cust1 2', 'ERR_X'],
  );
});

for (const document of DOCUMENTS) {
  test(`${document}: every js block runs against the stand-in`, async (t) => {
    const path = join(repo, document);
    assert.ok(existsSync(path), `${document} exists`);
    const blocks = extractBlocks(readFileSync(path, 'utf8')).filter((block) => block.run);
    if (document !== 'README.md')
      assert.ok(blocks.length >= 8, `${document} has its runnable blocks (${blocks.length})`);
    const exchangesBefore = mock.stats.authenticate;
    for (const block of blocks) {
      await t.test(`${document}:${block.line}`, async () => {
        if (/from ['"](redis|ioredis)['"]/.test(block.code) && !redis) {
          redis = await startRedis();
          env.REDIS_URL = redis.url;
        }
        const name = `${document.replace(/\W+/g, '-')}-${block.line}`;
        const { code, stdout, stderr } = await runBlock(name, block.code);
        assert.equal(stderr.trim(), '', `${document}:${block.line} wrote to stderr`);
        assert.equal(code, 0, `${document}:${block.line} exited with ${code}`);
        assert.ok(stdout.includes('[docs-block-done]'), `${document}:${block.line} ran to its end`);
        // `console.log(x); // shown output`: what the page says a line prints, it prints (in order).
        const printed = stdout.split('\n').map((line) => line.trim());
        let from = 0;
        for (const expected of expectedOutputs(block.code)) {
          const at = printed.indexOf(expected, from);
          assert.ok(
            at >= 0,
            `${document}:${block.line} should print ${JSON.stringify(expected)}; printed ${JSON.stringify(printed.slice(from))}`,
          );
          from = at + 1;
        }
      });
    }
    if (blocks.some((block) => /getTicket|authHeaders|parseTicketResponse|fetch\(/.test(block.code))) {
      assert.ok(mock.stats.authenticate > exchangesBefore, `${document}'s blocks exchanged tickets with the stand-in`);
    }
  });
}
