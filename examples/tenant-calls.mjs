// Calling a tenant both ways with one client: the current principal from the REST API
// (client.fetch, SOTicket + SO-AppToken headers) and an associate from NetServer's SOAP agents
// (client.callAgent, ApplicationToken + Credentials/Ticket SOAP headers). Both share the client's
// cached ticket; if the tenant refuses it, the client gets a new one and retries once.
//
//   node examples/tenant-calls.mjs                 against the local stand-in
//   SO_ENVIRONMENT=online SO_APPLICATION_TOKEN=... SO_PRIVATE_KEY_FILE=key.xml \
//   SO_CONTEXT_IDENTIFIER=Cust12345 SO_SYSTEM_USER_TOKEN=... node examples/tenant-calls.mjs
import crypto from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createSystemUserClient } from 'superoffice-auth';
import { startMockSuperOffice } from 'superoffice-auth/testing';

/**
 * Reads the current principal over REST and its associate over SOAP. `client` is a system user client;
 * `tenant` is { contextIdentifier, systemUserToken }.
 */
export async function readPrincipalAndAssociate(client, tenant, { log = console.log } = {}) {
  const res = await client.fetch(tenant, 'v1/User/currentPrincipal');
  if (res.status !== 200) throw new Error(`the REST API answered ${res.status}`);
  const principal = await res.json();
  log(
    `REST  v1/User/currentPrincipal: ${principal.UserName} of ${principal.CompanyName} (associate ${principal.AssociateId})`,
  );

  // callAgent calls agents over REST by default; this example shows the SOAP agent.
  const { response: associate } = await client.callAgent(
    tenant,
    'Associate',
    'GetAssociate',
    { AssociateId: Number(principal.AssociateId) },
    { protocol: 'soap' },
  );
  log(`SOAP  Associate.GetAssociate: ${associate.Name}, ${associate.FullName} (${associate.Type})`);
  return { principal, associate };
}

/** Against the stand-in: one application, one tenant, one client. */
export async function runTenantCalls({ log = console.log } = {}) {
  const mock = await startMockSuperOffice();
  try {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const applicationToken = `example-app-${crypto.randomBytes(12).toString('hex')}`;
    const tenant = {
      contextIdentifier: 'Cust12345',
      systemUserToken: `Example-${crypto.randomBytes(8).toString('base64url')}`,
    };
    mock.registerApplication({ applicationToken, publicKey });
    mock.addTenant({ ...tenant, companyName: 'Example Company AS', associateId: 5 });
    const client = createSystemUserClient({
      baseUrl: mock.baseUrl,
      applicationToken,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    });
    const result = await readPrincipalAndAssociate(client, tenant, { log });
    return { ...result, stats: mock.stats };
  } finally {
    await mock.close();
  }
}

function isMain() {
  try {
    return pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) {
  const env = process.env;
  const run = env.SO_CONTEXT_IDENTIFIER
    ? readPrincipalAndAssociate(
        createSystemUserClient({
          ...(env.SO_BASE_URL ? { baseUrl: env.SO_BASE_URL } : { environment: env.SO_ENVIRONMENT }),
          applicationToken: env.SO_APPLICATION_TOKEN,
          privateKey: readFileSync(env.SO_PRIVATE_KEY_FILE ?? '', 'utf8'),
        }),
        { contextIdentifier: env.SO_CONTEXT_IDENTIFIER, systemUserToken: env.SO_SYSTEM_USER_TOKEN },
      )
    : runTenantCalls();
  run.catch((err) => {
    console.error(`${err.code ?? 'ERR_EXAMPLE'}: ${err.message}`);
    process.exitCode = 1;
  });
}
