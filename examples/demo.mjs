// The README's first command: the whole system-user flow on a laptop, no SuperOffice account needed.
// It starts the local stand-in for SuperOffice, creates an application key pair in the .NET XML form
// the SuperOffice developer portal hands out, gets a ticket through createSystemUserClient over real
// HTTP, calls the tenant's web API with it, then onboards a second tenant from the SuperIdToken its
// administrator's approval sends and gets that tenant's ticket, and prints each step.
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
  // Through PEM first: Node 20 can deadlock exporting a freshly generated key straight to JWK.
  const jwk = crypto.createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })).export({ format: 'jwk' });
  const b64 = (value) => Buffer.from(value, 'base64url').toString('base64');
  const parts = [
    ['Modulus', jwk.n],
    ['Exponent', jwk.e],
    ['P', jwk.p],
    ['Q', jwk.q],
    ['DP', jwk.dp],
    ['DQ', jwk.dq],
    ['InverseQ', jwk.qi],
    ['D', jwk.d],
  ];
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
    const clientId = `demo-client-${crypto.randomBytes(6).toString('hex')}`;
    const contextIdentifier = 'Cust12345';
    const systemUserToken = `DemoApp-${crypto.randomBytes(8).toString('base64url')}`;
    log(`3. Registering the application and tenant ${contextIdentifier} with the stand-in...`);
    mock.registerApplication({ applicationToken, publicKey, clientId });
    mock.addTenant({ contextIdentifier, systemUserToken, companyName: 'Demo Company AS' });

    log(
      `4. Getting a ticket through createSystemUserClient (${transport.toUpperCase()} over HTTP, JWT checked against the stand-in's JWKS)...`,
    );
    // clientId and issuer serve onboardTenant (step 7). With `environment` instead of a stand-in's
    // baseUrl, the issuer is the environment's own (https://online.superoffice.com, ...).
    const client = createSystemUserClient({
      baseUrl: mock.baseUrl,
      issuer: mock.issuer,
      clientId,
      applicationToken,
      privateKey: privateKeyXml,
      transport,
    });
    log(`   client: ${JSON.stringify(client)}`);
    const result = await client.getTicket({ contextIdentifier, systemUserToken });
    log(`   ticket:      ${result.ticket}`);
    log(
      `   tenant:      ${result.contextIdentifier} (serial ${result.serial}, administrator: ${result.isAdministrator})`,
    );
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
    log(
      `   same ticket: ${again.ticket === result.ticket}; ticket exchanges made: ${mock.stats.authenticate}; JWKS fetches: ${mock.stats.jwks}`,
    );

    const newTenant = 'Cust67890';
    log(
      `7. Onboarding tenant ${newTenant}: its administrator approves the application, and SuperOffice posts a SuperIdToken (id_token) to the redirect URL; the stand-in mints it...`,
    );
    mock.addTenant({
      contextIdentifier: newTenant,
      systemUserToken: `DemoApp-${crypto.randomBytes(8).toString('base64url')}`,
      companyName: 'Second Company AS',
    });
    // The nonce is the one the application put in the authorization request and kept (in a session).
    const nonce = crypto.randomBytes(16).toString('base64url');
    const idToken = mock.issueSuperIdToken({ contextIdentifier: newTenant, clientId, nonce });
    const onboarded = await client.onboardTenant(idToken, { nonce });
    log(`   id_token valid: signature (JWKS), issuer ${mock.issuer}, audience ${clientId}, nonce, expiry`);
    log(
      `   to store for ${onboarded.contextIdentifier}: system user token (${onboarded.systemUserToken.length} characters, not printed: it is a secret), web API ${onboarded.webapiUrl}, serial ${onboarded.serial}`,
    );
    log(`   approved by ${onboarded.email} (administrator: ${onboarded.isAdministrator})`);

    log(
      `8. Getting ${newTenant}'s ticket by its context identifier alone: the client kept the system user token from the id_token...`,
    );
    const second = await client.getTicket({ contextIdentifier: newTenant });
    log(`   ticket:      ${second.ticket}`);
    const secondRes = await fetch(new URL('v1/User/currentPrincipal', second.webapiUrl), {
      headers: { ...(await client.authHeaders(newTenant)), Accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    const secondPrincipal = await secondRes.json();
    if (secondRes.status !== 200) throw new Error(`the tenant API answered ${secondRes.status}`);
    log(`   HTTP ${secondRes.status}: ${JSON.stringify(secondPrincipal)}`);
    const { stats } = mock;
    log(
      `   ticket exchanges made: ${stats.authenticate}; JWKS fetches: ${stats.jwks} (the id_token was checked with the keys already fetched)`,
    );
    log('Done.');
    return {
      ticket: result.ticket,
      principal,
      status: res.status,
      onboarded: {
        contextIdentifier: onboarded.contextIdentifier,
        ticket: second.ticket,
        principal: secondPrincipal,
        status: secondRes.status,
      },
      stats,
    };
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
