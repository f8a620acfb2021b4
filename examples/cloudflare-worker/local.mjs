// Runs the Worker (src/index.mjs) locally in the real workerd against the SuperOffice stand-in, with no
// account and no network: from the repository, `npm run worker`. The stand-in plays SuperOffice's login
// and tenant API on loopback; the Worker is bundled as wrangler bundles it and served by workerd.
// `startLocal()` is what the tests use.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startMockSuperOffice } from 'superoffice-auth/testing';

const here = fileURLToPath(new URL('.', import.meta.url));

/** `harness`: scripts/workerd.mjs of the repository (bundleWorker, startWorkerd). */
export async function startLocal({ harness, tenants = ['Cust12345', 'Cust67890'], port } = {}) {
  const mock = await startMockSuperOffice();
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const applicationToken = `app-${randomBytes(16).toString('hex')}`;
  mock.registerApplication({ applicationToken, publicKey: privateKey });
  const systemUserTokens = {};
  for (const contextIdentifier of tenants) {
    systemUserTokens[contextIdentifier] = `WorkerApp-${randomBytes(8).toString('base64url')}`;
    mock.addTenant({ contextIdentifier, systemUserToken: systemUserTokens[contextIdentifier] });
  }
  const webhookSecret = `whsec-${randomBytes(12).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'superoffice-principal-worker-'));
  try {
    const { modules } = await harness.bundleWorker({ entry: join(here, 'src', 'index.mjs'), outDir: dir });
    const worker = await harness.startWorkerd({
      dir,
      modules,
      port,
      bindings: {
        SO_BASE_URL: mock.baseUrl,
        SO_APPLICATION_TOKEN: applicationToken,
        SO_PRIVATE_KEY: privateKey,
        SO_SYSTEM_USER_TOKENS: JSON.stringify(systemUserTokens),
        SO_WEBHOOK_SECRET: webhookSecret,
        SO_TENANT_STATUS_KEYS: mock.signingPublicKeyPem(),
        SO_ISSUER: mock.issuer,
      },
    });
    return {
      url: worker.url,
      mock,
      tenants,
      webhookSecret,
      secrets: [applicationToken, webhookSecret, ...Object.values(systemUserTokens), privateKey.split('\n')[1]],
      output: worker.output,
      async close() {
        await worker.close();
        await mock.close();
      },
    };
  } catch (error) {
    await mock.close();
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const repo = process.env.SUPEROFFICE_AUTH_REPO;
  if (!repo) throw new Error('run through `npm run worker` in the repository (it sets SUPEROFFICE_AUTH_REPO)');
  const harness = await import(pathToFileURL(join(repo, 'scripts', 'workerd.mjs')).href);
  const local = await startLocal({ harness, port: Number(process.env.PORT ?? 8787) });
  console.log(`The Worker runs in workerd at ${local.url}, SuperOffice's stand-in at ${local.mock.baseUrl}.`);
  for (const tenant of local.tenants) console.log(`  curl ${local.url}/${tenant}`);
  console.log(
    `Webhooks: POST ${local.url}/webhook (the stand-in's sendWebhook signs with the secret), GET ${local.url}/webhook/events`,
  );
  console.log('Ctrl-C stops both.');
  process.once('SIGINT', () => local.close().then(() => process.exit(0)));
}
