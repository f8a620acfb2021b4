// The README's first command: the whole system-user flow on a laptop, no SuperOffice account needed.
// It starts the local stand-in for SuperOffice, creates an application key pair in the .NET XML form
// the SuperOffice developer portal hands out, gets a ticket through createSystemUserClient over real
// HTTP, calls the tenant's web API with it, and prints each step.
//
//   node examples/demo.mjs            (from a project where superoffice-auth is installed)
import crypto from 'node:crypto';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createSystemUserClient } from 'superoffice-auth';
import { startMockSuperOffice } from 'superoffice-auth/testing';

/**
 * A node:crypto RSA private key as .NET's RSA.ToXmlString(true): the format SuperOffice issues.
 * Built here from a JWK export rather than with the package, so the package's XML parser is fed
 * something it did not write itself.
 */
export function toDotNetXml(privateKey) {
  const jwk = privateKey.export({ format: 'jwk' });
  const b64 = (value) => Buffer.from(value, 'base64url').toString('base64');
  const parts = [['Modulus', jwk.n], ['Exponent', jwk.e], ['P', jwk.p], ['Q', jwk.q], ['DP', jwk.dp], ['DQ', jwk.dq], ['InverseQ', jwk.qi], ['D', jwk.d]];
  return `<RSAKeyValue>${parts.map(([name, value]) => `<${name}>${b64(value)}</${name}>`).join('')}</RSAKeyValue>`;
}

/** Runs the demo and returns what it got; `log` receives each line (console.log by default). */
export async function runDemo({ log = console.log, transport = 'soap', port = 0 } = {}) {
  log('1. Starting the local SuperOffice stand-in (superoffice-auth/testing)...');
  const mock = await startMockSuperOffice({ port });
  try {
    log(`   listening on ${mock.baseUrl}`);

    log('2. Creating the application key pair (RSA 2048) in the .NET <RSAKeyValue> XML form SuperOffice issues...');
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKeyXml = toDotNetXml(privateKey);
    log(`   private key: <RSAKeyValue> XML, ${privateKeyXml.length} characters (not printed: it is a secret)`);

    // Demo values. In production the application token comes from the developer portal and the system
    // user token from the tenant's approval (the system_token claim of the SuperIdToken).
    const applicationToken = `demo-app-${crypto.randomBytes(12).toString('hex')}`;
    const contextIdentifier = 'Cust12345';
    const systemUserToken = `DemoApp-${crypto.randomBytes(8).toString('base64url')}`;
    log(`3. Registering the application and tenant ${contextIdentifier} with the stand-in...`);
    mock.registerApplication({ applicationToken, publicKey });
    mock.addTenant({ contextIdentifier, systemUserToken, companyName: 'Demo Company AS' });

    log(`4. Getting a ticket through createSystemUserClient (${transport.toUpperCase()} over HTTP, JWT checked against the stand-in's JWKS)...`);
    const client = createSystemUserClient({ baseUrl: mock.baseUrl, applicationToken, privateKey: privateKeyXml, transport });
    log(`   client: ${JSON.stringify(client)}`);
    const result = await client.getTicket({ contextIdentifier, systemUserToken });
    log(`   ticket:      ${result.ticket}`);
    log(`   tenant:      ${result.contextIdentifier} (serial ${result.serial}, administrator: ${result.isAdministrator})`);
    log(`   web API:     ${result.webapiUrl}`);
    log(`   JWT expires: ${result.expiresAt.toISOString()} (the ticket itself lives on, 6 hours after its last use)`);

    log('5. Calling the tenant API GET v1/User/currentPrincipal with Authorization: SOTicket and SO-AppToken...');
    const headers = await client.authHeaders(contextIdentifier);
    const res = await fetch(new URL('v1/User/currentPrincipal', result.webapiUrl), {
      headers: { ...headers, Accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    const principal = await res.json();
    if (res.status !== 200) throw new Error(`the tenant API answered ${res.status}`);
    log(`   HTTP ${res.status}: ${JSON.stringify(principal)}`);

    log('6. Asking again: the ticket comes from the cache, SuperOffice is not asked twice...');
    const again = await client.getTicket({ contextIdentifier, systemUserToken });
    const { stats } = mock;
    log(`   same ticket: ${again.ticket === result.ticket}; ticket exchanges made: ${stats.authenticate}; JWKS fetches: ${stats.jwks}`);
    log('Done.');
    return { ticket: result.ticket, principal, status: res.status, stats };
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
  runDemo().catch((err) => {
    console.error(`${err.code ?? 'ERR_DEMO'}: ${err.message}`);
    process.exitCode = 1;
  });
}
