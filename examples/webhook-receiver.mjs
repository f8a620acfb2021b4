// A receiver for what SuperOffice posts to your service, on node:http: webhook deliveries (verified by
// their X-SuperOffice-Signature) and tenant status notifications (verified by their Token), at one URL.
// Register the webhook with a Secret and this URL as its TargetUrl (SuperOffice requires HTTPS: put
// it behind your TLS terminator), and this URL as the application's State Change URL.
//
//   SO_WEBHOOK_SECRET_FILE=secret.txt SO_ENVIRONMENT=online SO_KEYS_FILE=SuperOfficeFederatedLogin.crt \
//     node examples/webhook-receiver.mjs
//   node examples/webhook-receiver.mjs --demo      (against the local stand-in, no account needed)
//
// `startWebhookReceiver(options)` is what the tests use.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createWebhookHandler } from 'superoffice-auth';

/**
 * Starts the receiver on 127.0.0.1. `onEvent(event)` and `onTenantStatus(notification)` are yours;
 * the rest goes to createWebhookHandler (secret, keys, environment or issuer, clientId, eventStore,
 * maxAgeSeconds). Returns `{ url, close() }`.
 */
export async function startWebhookReceiver({ port = 0, path = '/superoffice', log = console.log, ...options }) {
  const handler = createWebhookHandler({
    // Webhooks need the secret, notifications the keys: a default handler for what is configured.
    ...(options.secret !== undefined && {
      onEvent: async (event) => log(`event ${event.event} ${event.primaryKey} in ${event.contextIdentifier}`),
    }),
    ...(options.keys !== undefined && {
      onTenantStatus: async (notice) => log(`tenant ${notice.contextIdentifier}: ${notice.changeType}`),
    }),
    // Refusals are worth seeing (a wrong secret shows up here first); they carry no secret.
    onError: (error, { stage }) => log(`refused or failed (${stage}): ${error.code ?? error.name}: ${error.message}`),
    ...options,
  });
  const server = createServer((req, res) => {
    if (new URL(req.url, 'http://localhost').pathname !== path) {
      res.writeHead(404).end();
      return;
    }
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}${path}`,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

/** The stand-in delivers the registration's test event, an event and a notification to the receiver. */
async function demo() {
  const { startMockSuperOffice } = await import('superoffice-auth/testing');
  const mock = await startMockSuperOffice();
  const secret = 'demo secret';
  const receiver = await startWebhookReceiver({ secret, keys: mock.signingPublicKeyPem(), issuer: mock.issuer });
  try {
    for (const delivery of [
      { test: true },
      { event: 'contact.changed', primaryKey: 18 },
      { event: 'person.created' },
    ]) {
      const { attempts } = await mock.sendWebhook({ url: receiver.url, secret, ...delivery });
      console.log(`  SuperOffice got HTTP ${attempts.at(-1).status}`);
    }
    const forged = await mock.sendWebhook({ url: receiver.url, secret: 'a guess', attempts: 1 });
    console.log(`  a forged delivery got HTTP ${forged.attempts[0].status}`);
    const note = await mock.notifyTenantStatus({
      url: receiver.url,
      contextIdentifier: 'Cust12345',
      changeType: 'Suspend',
    });
    console.log(`  SuperOffice got HTTP ${note.status}`);
  } finally {
    await receiver.close();
    await mock.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--demo')) {
    await demo();
  } else {
    const env = process.env;
    const file = (name) => (env[name] ? readFileSync(env[name], 'utf8') : undefined);
    const secret = file('SO_WEBHOOK_SECRET_FILE')?.replace(/\r?\n$/, '');
    const keys = file('SO_KEYS_FILE');
    if (!secret && !keys)
      throw new Error('set SO_WEBHOOK_SECRET_FILE (webhooks) and/or SO_KEYS_FILE with SO_ENVIRONMENT (notifications)');
    const receiver = await startWebhookReceiver({
      port: Number(env.PORT ?? 8080),
      ...(secret ? { secret } : {}),
      ...(keys ? { keys, environment: env.SO_ENVIRONMENT ?? 'online' } : {}),
    });
    console.log(`receiving at ${receiver.url}`);
  }
}
