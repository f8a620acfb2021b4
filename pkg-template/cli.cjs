#!/usr/bin/env node
'use strict';
// `npx superoffice-auth ...`: get a ticket, refresh an access token, make an authorization URL, convert a
// key, inspect a JWT, from a shell.
//
// Secrets (application token, client secret, system user token, refresh token, private key) are read
// from environment variables or files and are never printed, not even in error messages. The only
// credential printed is the one asked for: the ticket from `ticket`, the access token from `refresh`
// (and, with --json, a rotated refresh token), the key from `convert-key`, or the values `authorize` makes
// for the caller to keep (state, nonce, PKCE code verifier). `call` and `get` print what the tenant
// answered, never a credential.
// Exit codes: 0 success, 1 failure (printed as `CODE: message`), 2 bad usage (ERR_INVALID_ARGUMENT).

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
// The core module and the clients, as the facade (index.cjs) would give them: nothing inside the
// package imports the facade.
const core = {
  ...require('./core/index.cjs'),
  createSystemUserClient: require('./client/system-user.cjs').createSystemUserClient,
  createRefreshTokenClient: require('./client/refresh-token.cjs').createRefreshTokenClient,
};

const CLAIM = 'http://schemes.superoffice.net/identity/';
const SECRET_CLAIMS = new Set([`${CLAIM}ticket`, `${CLAIM}system_token`]);
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const HELP = {
  main: `superoffice-auth: SuperOffice CRM Online system-user authentication from a shell.

Usage:
  superoffice-auth ticket [options]              obtain a system user ticket
  superoffice-auth refresh [options]             trade a refresh token for an access token
  superoffice-auth authorize [options]           print an authorization URL and the values to keep
  superoffice-auth convert-key <file> [options]  convert a private key (XML, PKCS#1, PKCS#8)
  superoffice-auth inspect <jwt> [options]       decode a JWT, validate it when keys are given
  superoffice-auth call <ctx> <Agent.Method> [Name=Value ...]  call a NetServer agent (REST; --soap for SOAP)
  superoffice-auth get <ctx> <path>              GET from the tenant's REST API (e.g. v1/User/currentPrincipal)
  superoffice-auth verify-webhook --secret-file <file> --signature <value> < body
                                                 check a webhook delivery's signature and read its event
  superoffice-auth <command> --help              help for one command
  superoffice-auth --version

Exit codes: 0 success, 1 failure (printed as "CODE: message" on stderr), 2 bad usage.
`,
  'verify-webhook': `superoffice-auth verify-webhook: check a webhook delivery, for debugging one.

Reads the delivery's body from stdin, byte for byte (save it raw: a body re-formatted or re-encoded by a
log or an editor no longer matches its signature), and checks X-SuperOffice-Signature against it.

      --secret-file <file>      SO_WEBHOOK_SECRET_FILE  the webhook's secret (one trailing newline is
                                                        ignored); repeat for old and new while rotating
      --signature <value>       the X-SuperOffice-Signature header's value
      --event-id <value>        the X-SuperOffice-EventId header's value, checked against the body
      --max-age-seconds <n>     refuse an event whose Timestamp is further than this from now
      --json                    print the event as JSON
  -h, --help

Prints the event on success. A refusal prints ERR_WEBHOOK_INVALID and its reason and, for a mismatch,
what about the body commonly differs from what SuperOffice sent (never the signature it expected).
`,
  ticket: `superoffice-auth ticket: obtain a system user ticket and print it.

Settings come from flags or environment variables (flags win). Prefer the environment or files for
secrets: command-line flags are visible to other users of the machine (ps, shell history).

  -e, --environment <sod|stage|online>  SO_ENVIRONMENT   SuperOffice environment
      --base-url <url>                  SO_BASE_URL      login host instead of an environment
  -c, --context-identifier <id>         SO_CONTEXT_IDENTIFIER  tenant, e.g. Cust12345
  -k, --private-key-file <file>         SO_PRIVATE_KEY_FILE    XML <RSAKeyValue>, PKCS#1 or PKCS#8 PEM
                                        SO_PRIVATE_KEY   the key itself, instead of a file
      --application-token <token>       SO_APPLICATION_TOKEN   the application's client secret
      --system-user-token <token>       SO_SYSTEM_USER_TOKEN   the tenant's system user token
      --transport <soap|rest>           SO_TRANSPORT     default soap
      --keys <file>                     SO_KEYS_FILE     pinned JWKS or PEM certificate(s) instead of
                                                         fetching {host}/login/.well-known/jwks
      --timeout-ms <ms>                 SO_TIMEOUT_MS    per request, default 10000
      --json                            print the whole result (URLs, serial, expiry, claims) as JSON
  -h, --help

Prints the ticket (7T:...) alone on stdout, so that TICKET=$(superoffice-auth ticket) works.
`,
  'convert-key': `superoffice-auth convert-key <file> [--to pkcs8|pkcs1|xml] [--out <file>]

Reads a private key in any of SuperOffice's .NET XML <RSAKeyValue>, PEM PKCS#1 (RSA PRIVATE KEY) or PEM
PKCS#8 (PRIVATE KEY) and writes it in the chosen form (default pkcs8). <file> may be - for stdin.

      --to <pkcs8|pkcs1|xml>  output form, default pkcs8
      --out <file>            write there (created with mode 0600) instead of stdout
  -h, --help
`,
  refresh: `superoffice-auth refresh: trade a refresh token for an access token and print it.

Settings come from flags or environment variables (flags win). The client secret and the refresh token
come from the environment or files only: command-line flags are visible to other users (ps, history).

  -e, --environment <sod|stage|online>  SO_ENVIRONMENT         SuperOffice environment
      --base-url <url>                  SO_BASE_URL            login host instead of an environment
      --client-id <id>                  SO_CLIENT_ID           the application's client id
                                        SO_CLIENT_SECRET       the client secret (application token)
      --client-secret-file <file>       SO_CLIENT_SECRET_FILE  ...from a file instead
                                        SO_REFRESH_TOKEN       the refresh token
      --refresh-token-file <file>       SO_REFRESH_TOKEN_FILE  ...from a file instead; when the server
                                                               rotates the token, the new one is written
                                                               back to this file (mode 0600)
      --redirect-uri <uri>              SO_REDIRECT_URI        sent when given
      --issuer <iss>                    SO_ISSUER              id_token issuer; needed with --base-url
      --keys <file|url>                 SO_KEYS_FILE           pinned keys for the id_token instead of
                                                               fetching {host}/login/.well-known/jwks
      --ignore-id-token                 do not validate the id_token (and fetch no keys)
      --timeout-ms <ms>                 SO_TIMEOUT_MS          per request, default 10000
      --json                            print { accessToken, tokenType, expiresAt, refreshToken, idToken }
      --reveal                          with --json, show the id_token's system_token claim
  -h, --help

Prints the access token (8A:...) alone on stdout, so that TOKEN=$(superoffice-auth refresh) works.
Files are read with one trailing newline removed. A rotated refresh token read from the environment
cannot be written back: it is printed only with --json, so use --refresh-token-file or --json when
the server rotates.
`,
  authorize: `superoffice-auth authorize: print an authorization URL and the values to keep.

Makes the URL that sends a person's browser to SuperOffice's authorize endpoint, with a fresh state,
nonce and (for the code flow) PKCE S256 code verifier. Keep those until the redirect comes back: state
to check it, nonce to check the id_token, the code verifier for the code exchange.

  -e, --environment <sod|stage|online>  SO_ENVIRONMENT         SuperOffice environment
      --base-url <url>                  SO_BASE_URL            login host instead of an environment
      --client-id <id>                  SO_CLIENT_ID           the application's client id
      --redirect-uri <uri>              SO_REDIRECT_URI        exactly as registered for the application
      --response-type <code|id_token>   default code; id_token asks a tenant administrator to approve
                                        a system-user application (the SuperIdToken is posted back)
      --response-mode <query|fragment|form_post>  default: query for code, form_post for id_token
  -c, --context-identifier <id>         SO_CONTEXT_IDENTIFIER  the tenant: skips SuperOffice's choice
      --login-hint <user>               a SuperID user name to prefill
      --prompt <login|consent|select_account|none>
      --json                            print { url, state, nonce, codeVerifier } as JSON
  -h, --help

Prints the URL, then state, nonce and code verifier, one per line as name: value.
`,
  call: `superoffice-auth call <contextIdentifier> <Agent.Method> [Name=Value ...] [options]

Calls a NetServer agent with the tenant's system user ticket and prints the result as JSON: over REST
(POST {webapi_url}v1/Agents/Agent/Method) by default, with JSON's own types; with --soap, over SOAP
(Services88), where values are text, nil is null and lists of the WSDL table are arrays.
  superoffice-auth call Cust12345 Associate.GetAssociate AssociateId=5
  superoffice-auth call Cust12345 Associate.GetAssociateList 'AssociateIds=[1,2,3]'
  superoffice-auth call Cust12345 Contact.GetContactEntity ContactEntityId=2 --soap

Parameters are sent in the order given. A value is text, except that one starting with [ or { is read
as JSON (over SOAP a [1,2] array of integers is an int[], of strings a string[]) and null is null.
Takes the settings of \`ticket\` (-e/--base-url, -k, SO_APPLICATION_TOKEN, SO_SYSTEM_USER_TOKEN, --keys,
--transport, --timeout-ms). A rejected ticket is replaced and the call retried once.

      --soap                    call the SOAP agent (Services88) instead of REST
      --full                    print { response } (REST) or { response, succeeded, extraInfo } (SOAP)
  -h, --help
`,
  get: `superoffice-auth get <contextIdentifier> <path> [options]

GETs a path of the tenant's REST API with the tenant's system user ticket and prints the body.
  superoffice-auth get Cust12345 v1/User/currentPrincipal

<path> is relative to the ticket's webapi_url (https://.../Cust12345/api/); an absolute URL must be on
the same host. A 401 drops the ticket and the request is sent once more with a new one. Exits 1 when
the final status is not 2xx (the body is still printed). Takes the settings of \`ticket\`.

  -h, --help
`,
  inspect: `superoffice-auth inspect <jwt> [--keys <file|url>] [options]

Decodes a JWT and prints its header and claims. With --keys it also validates the token (RS256
signature, exp/nbf, and issuer, audience and nonce as below) and exits 1 when it is not valid.
<jwt> may be - for stdin.
A system-user token (issuer "SuperOffice AS" with a serial claim) is checked for that issuer and
audience spn:{serial}, as SuperOffice's own client does; --issuer and --audience override that.
With --client-id the token is read as a SuperIdToken (OpenID Connect id_token): audience the client id,
issuer that of --environment or --issuer, --nonce when given; its typed claims are printed.

      --keys <file|url>         JWKS or PEM certificate(s); an http(s) URL is fetched
      --client-id <id>          validate as a SuperIdToken for this client id
  -e, --environment <env>       SuperIdToken issuer https://{env}.superoffice.com
      --issuer <iss>            expected issuer
      --audience <aud>          expected audience (not with --client-id)
      --nonce <nonce>           expected nonce (id_tokens)
      --leeway-seconds <n>      clock-skew allowance, default 60
      --reveal                  print the ticket and system_token claims (redacted by default)
      --json                    print { header, claims, valid, superIdToken } as JSON
  -h, --help
`,
};

class UsageError extends Error {}

function usage(message) {
  return new UsageError(message);
}

function readText(path, what) {
  try {
    return path === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(path, 'utf8');
  } catch (err) {
    // The path is the user's own input and is shown, unless it looks like what should have been in
    // the file (SO_PRIVATE_KEY_FILE set to the key itself is an easy mistake): that is never printed.
    throw usage(`cannot read ${what} ${path === '-' ? 'from stdin' : shownPath(path)}: ${err.code ?? err.message}`);
  }
}

function shownPath(path) {
  const looksLikeContent = path.length > 256 || /[\r\n<>]|-----/.test(path);
  return looksLikeContent ? '(the value given is not shown: it looks like key text, not a file name)' : path;
}

/** A secret from a file: one trailing newline is what editors and `echo` add, so it is removed. */
function readSecretFile(path, what) {
  return readText(path, what).replace(/\r?\n$/, '');
}

/**
 * Replaces a file's content atomically, readable by its owner only. The new content goes to a temporary
 * file beside the target with a random name, created exclusively ('wx': an existing file or a symlink
 * planted there makes the open fail instead of being written through) with mode 0600, flushed to disk,
 * then renamed over the target. rename() replaces a symlink at the target itself, never its target.
 */
function writeSecretFile(file, text) {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${crypto.randomBytes(12).toString('hex')}.tmp`,
  );
  const fd = fs.openSync(temporary, 'wx', 0o600);
  let renamed = false;
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temporary, file);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        fs.closeSync(fd);
      } catch {
        // Already closed: the write got that far.
      }
      fs.rmSync(temporary, { force: true });
    }
  }
}

/** A secret from a file named by flag or variable, else from a variable holding it. */
function pickSecret({ fileFlag, fileEnv, valueEnv, env, what }) {
  const file = pick(fileFlag, fileEnv, env);
  if (file !== undefined) return { value: readSecretFile(file, what), file };
  const value = pick(undefined, valueEnv, env);
  return value === undefined ? undefined : { value };
}

function pick(flag, envName, env) {
  if (flag !== undefined) return flag;
  const value = env[envName];
  return value === undefined || value === '' ? undefined : value;
}

function positiveInteger(text, name) {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) <= 0) throw usage(`${name} must be a positive integer`);
  return Number(text);
}

function redactClaims(claims, reveal) {
  if (reveal) return claims;
  const out = {};
  for (const [name, value] of Object.entries(claims)) {
    out[name] = SECRET_CLAIMS.has(name) && typeof value === 'string' ? '[redacted; --reveal to show]' : value;
  }
  return out;
}

/** --environment / --base-url, or SO_ENVIRONMENT / SO_BASE_URL: exactly one. */
function pickLocation(values, env) {
  let environment;
  let baseUrl;
  if (values.environment !== undefined || values['base-url'] !== undefined) {
    if (values.environment !== undefined && values['base-url'] !== undefined)
      throw usage('give --environment or --base-url, not both');
    environment = values.environment;
    baseUrl = values['base-url'];
  } else {
    environment = pick(undefined, 'SO_ENVIRONMENT', env);
    baseUrl = pick(undefined, 'SO_BASE_URL', env);
    if (environment !== undefined && baseUrl !== undefined)
      throw usage('SO_ENVIRONMENT and SO_BASE_URL are both set; set one');
  }
  if (environment === undefined && baseUrl === undefined)
    throw usage('missing --environment (SO_ENVIRONMENT) or --base-url (SO_BASE_URL)');
  return { environment, baseUrl };
}

/** The typed SuperIdToken claims for printing: raw claims left out, system_token redacted unless revealed. */
function superIdSummary(result, reveal) {
  if (!result) return null;
  const { claims, systemUserToken, ...typed } = result;
  void claims;
  return {
    ...typed,
    systemUserToken: systemUserToken && !reveal ? '[redacted; --reveal to show]' : systemUserToken,
  };
}

// The options of every command that works with a system user ticket (ticket, call, get).
const TICKET_OPTIONS = /** @satisfies {Record<string, import('node:util').ParseArgsOptionDescriptor>} */ ({
  environment: { type: 'string', short: 'e' },
  'base-url': { type: 'string' },
  'private-key-file': { type: 'string', short: 'k' },
  'application-token': { type: 'string' },
  'system-user-token': { type: 'string' },
  transport: { type: 'string' },
  keys: { type: 'string' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
});

/** The system user client and the tenant's { contextIdentifier, systemUserToken }, from flags and env. */
function ticketClient(values, env, contextIdentifier) {
  const { environment, baseUrl } = pickLocation(values, env);
  const applicationToken = pick(values['application-token'], 'SO_APPLICATION_TOKEN', env);
  if (applicationToken === undefined) throw usage('missing SO_APPLICATION_TOKEN (or --application-token)');
  const systemUserToken = pick(values['system-user-token'], 'SO_SYSTEM_USER_TOKEN', env);
  if (systemUserToken === undefined) throw usage('missing SO_SYSTEM_USER_TOKEN (or --system-user-token)');
  const keyFile = pick(values['private-key-file'], 'SO_PRIVATE_KEY_FILE', env);
  let privateKey;
  if (keyFile !== undefined) privateKey = readText(keyFile, 'private key file');
  else if (env.SO_PRIVATE_KEY) privateKey = env.SO_PRIVATE_KEY;
  else throw usage('missing --private-key-file (SO_PRIVATE_KEY_FILE or SO_PRIVATE_KEY)');
  const transport = pick(values.transport, 'SO_TRANSPORT', env);
  const keysFile = pick(values.keys, 'SO_KEYS_FILE', env);
  const timeoutMs = positiveInteger(pick(values['timeout-ms'], 'SO_TIMEOUT_MS', env), '--timeout-ms');

  const client = core.createSystemUserClient({
    ...(environment !== undefined ? { environment } : { baseUrl }),
    applicationToken,
    privateKey,
    ...(transport !== undefined ? { transport } : {}),
    ...(keysFile !== undefined ? { keys: readText(keysFile, 'keys file') } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  return { client, tenant: { contextIdentifier, systemUserToken } };
}

async function commandTicket(argv, env, out) {
  const { values, positionals } = parseCommand(argv, {
    ...TICKET_OPTIONS,
    'context-identifier': { type: 'string', short: 'c' },
    json: { type: 'boolean' },
  });
  if (values.help) return out.stdout(HELP.ticket);
  // Not echoed: a stray argument is often half of an unquoted secret ("--system-user-token My Token").
  if (positionals.length) throw usage('unexpected argument (values with spaces must be quoted)');
  pickLocation(values, env); // checked first, as before call and get existed
  const contextIdentifier = pick(values['context-identifier'], 'SO_CONTEXT_IDENTIFIER', env);
  if (contextIdentifier === undefined) throw usage('missing --context-identifier (SO_CONTEXT_IDENTIFIER)');
  const { client, tenant } = ticketClient(values, env, contextIdentifier);
  const result = await client.getTicket(tenant);
  if (!values.json) return out.stdout(`${result.ticket}\n`);
  // The ticket is what was asked for; the system user token claim (if the server sends one) was not.
  const claims = { ...result.claims };
  if (typeof claims[`${CLAIM}system_token`] === 'string') claims[`${CLAIM}system_token`] = '[redacted]';
  return out.stdout(
    `${JSON.stringify(
      {
        ticket: result.ticket,
        contextIdentifier: result.contextIdentifier,
        serial: result.serial,
        netserverUrl: result.netserverUrl,
        webapiUrl: result.webapiUrl,
        isAdministrator: result.isAdministrator,
        expiresAt: result.expiresAt.toISOString(),
        claims,
      },
      null,
      2,
    )}\n`,
  );
}

/**
 * `Name=Value` arguments, in order: text, or JSON when the value starts with [ or {, or null. Problems
 * name the parameter by its place among them, never by what was typed (a pasted secret stays out).
 */
function agentParameters(pairs) {
  const parameters = {};
  pairs.forEach((pair, index) => {
    const which = `parameter ${index + 1}`;
    const at = pair.indexOf('=');
    if (at <= 0) throw usage(`${which}: parameters are Name=Value`);
    const name = pair.slice(0, at);
    const text = pair.slice(at + 1);
    if (Object.hasOwn(parameters, name)) throw usage(`${which} repeats the name of an earlier one`);
    let value = text;
    if (text === 'null') value = null;
    else if (/^[[{]/.test(text)) {
      try {
        value = JSON.parse(text);
      } catch {
        throw usage(`${which} starts with [ or { but is not JSON`);
      }
    }
    Object.defineProperty(parameters, name, { value, enumerable: true, writable: true, configurable: true });
  });
  return parameters;
}

async function commandCall(argv, env, out) {
  const { values, positionals } = parseCommand(argv, {
    ...TICKET_OPTIONS,
    full: { type: 'boolean' },
    soap: { type: 'boolean' },
  });
  if (values.help) return out.stdout(HELP.call);
  const [contextIdentifier, target, ...pairs] = positionals;
  if (contextIdentifier === undefined || target === undefined)
    throw usage('call needs <contextIdentifier> <Agent.Method>');
  const match = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(target);
  if (!match) throw usage('the call is Agent.Method, e.g. Associate.GetAssociate');
  const parameters = agentParameters(pairs);
  const { client, tenant } = ticketClient(values, env, contextIdentifier);
  const result = await client.callAgent(tenant, match[1], match[2], parameters, {
    protocol: values.soap ? 'soap' : 'rest',
  });
  return out.stdout(`${JSON.stringify(values.full ? result : result.response, null, 2)}\n`);
}

async function commandGet(argv, env, out) {
  const { values, positionals } = parseCommand(argv, TICKET_OPTIONS);
  if (values.help) return out.stdout(HELP.get);
  if (positionals.length !== 2) throw usage('get needs <contextIdentifier> <path>');
  const [contextIdentifier, path] = positionals;
  const { client, tenant } = ticketClient(values, env, contextIdentifier);
  const res = await client.fetch(tenant, path);
  const text = await res.text();
  out.stdout(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  if (res.status < 200 || res.status > 299) {
    throw new core.SuperOfficeAuthError('ERR_HTTP_STATUS', `unexpected HTTP status ${res.status}`, {
      status: res.status,
    });
  }
  return undefined;
}

async function commandRefresh(argv, env, out) {
  const { values, positionals } = parseCommand(argv, {
    environment: { type: 'string', short: 'e' },
    'base-url': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret-file': { type: 'string' },
    'refresh-token-file': { type: 'string' },
    'redirect-uri': { type: 'string' },
    issuer: { type: 'string' },
    keys: { type: 'string' },
    'ignore-id-token': { type: 'boolean' },
    'timeout-ms': { type: 'string' },
    json: { type: 'boolean' },
    reveal: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return out.stdout(HELP.refresh);
  if (positionals.length) throw usage('unexpected argument (values with spaces must be quoted)');

  const { environment, baseUrl } = pickLocation(values, env);
  const clientId = pick(values['client-id'], 'SO_CLIENT_ID', env);
  if (clientId === undefined) throw usage('missing --client-id (SO_CLIENT_ID)');
  const clientSecret = pickSecret({
    fileFlag: values['client-secret-file'],
    fileEnv: 'SO_CLIENT_SECRET_FILE',
    valueEnv: 'SO_CLIENT_SECRET',
    env,
    what: 'client secret file',
  });
  if (clientSecret === undefined)
    throw usage('missing SO_CLIENT_SECRET (or --client-secret-file, SO_CLIENT_SECRET_FILE)');
  const refreshToken = pickSecret({
    fileFlag: values['refresh-token-file'],
    fileEnv: 'SO_REFRESH_TOKEN_FILE',
    valueEnv: 'SO_REFRESH_TOKEN',
    env,
    what: 'refresh token file',
  });
  if (refreshToken === undefined)
    throw usage('missing SO_REFRESH_TOKEN (or --refresh-token-file, SO_REFRESH_TOKEN_FILE)');
  const redirectUri = pick(values['redirect-uri'], 'SO_REDIRECT_URI', env);
  const ignoreIdToken = Boolean(values['ignore-id-token']);
  const issuer = pick(values.issuer, 'SO_ISSUER', env);
  const keysSource = pick(values.keys, 'SO_KEYS_FILE', env);
  const timeoutMs = positiveInteger(pick(values['timeout-ms'], 'SO_TIMEOUT_MS', env), '--timeout-ms') ?? 10_000;
  if (ignoreIdToken && (issuer !== undefined || keysSource !== undefined))
    throw usage('--ignore-id-token leaves no use for --issuer or --keys');
  if (!ignoreIdToken && baseUrl !== undefined && issuer === undefined) {
    throw usage('with --base-url, give the id_token issuer (--issuer, SO_ISSUER) or --ignore-id-token');
  }
  if (environment !== undefined && issuer !== undefined)
    throw usage('--issuer goes with --base-url; an environment has its own issuer');

  let rotated;
  const client = core.createRefreshTokenClient({
    ...(environment !== undefined ? { environment } : { baseUrl }),
    ...(baseUrl !== undefined && issuer !== undefined ? { issuer } : {}),
    clientId,
    clientSecret: clientSecret.value,
    refreshToken: refreshToken.value,
    ...(redirectUri !== undefined ? { redirectUri } : {}),
    ...(ignoreIdToken ? { validateIdToken: false } : {}),
    ...(keysSource !== undefined ? { keys: await loadKeys(keysSource, timeoutMs) } : {}),
    timeoutMs,
    onRefreshToken(token) {
      rotated = token;
      if (refreshToken.file !== undefined) {
        writeSecretFile(refreshToken.file, `${token}\n`);
        out.stderr(`the server rotated the refresh token; wrote the new one to ${refreshToken.file}\n`);
      } else if (!values.json) {
        out.stderr(
          'warning: the server rotated the refresh token, and the old one may no longer work; it came from the environment, so it was not saved (use --refresh-token-file or --json)\n',
        );
      }
    },
  });
  const result = await client.getToken();
  if (!values.json) return out.stdout(`${result.accessToken}\n`);
  const idToken = result.idToken
    ? { ...superIdSummary(result.idToken, values.reveal), claims: redactClaims(result.idToken.claims, values.reveal) }
    : null;
  return out.stdout(
    `${JSON.stringify(
      {
        accessToken: result.accessToken,
        tokenType: result.tokenType,
        expiresAt: result.expiresAt.toISOString(),
        refreshToken: rotated ?? null,
        idToken,
      },
      null,
      2,
    )}\n`,
  );
}

async function commandAuthorize(argv, env, out) {
  const { values, positionals } = parseCommand(argv, {
    environment: { type: 'string', short: 'e' },
    'base-url': { type: 'string' },
    'client-id': { type: 'string' },
    'redirect-uri': { type: 'string' },
    'response-type': { type: 'string' },
    'response-mode': { type: 'string' },
    'context-identifier': { type: 'string', short: 'c' },
    'login-hint': { type: 'string' },
    prompt: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return out.stdout(HELP.authorize);
  if (positionals.length) throw usage('unexpected argument (values with spaces must be quoted)');
  const { environment, baseUrl } = pickLocation(values, env);
  const clientId = pick(values['client-id'], 'SO_CLIENT_ID', env);
  if (clientId === undefined) throw usage('missing --client-id (SO_CLIENT_ID)');
  const redirectUri = pick(values['redirect-uri'], 'SO_REDIRECT_URI', env);
  if (redirectUri === undefined) throw usage('missing --redirect-uri (SO_REDIRECT_URI)');
  const contextIdentifier = pick(values['context-identifier'], 'SO_CONTEXT_IDENTIFIER', env);
  const optional = {
    responseType: values['response-type'],
    responseMode: values['response-mode'],
    contextIdentifier,
    loginHint: values['login-hint'],
    prompt: values.prompt,
  };
  for (const [name, value] of Object.entries(optional)) if (value === undefined) delete optional[name];
  const request = core.createAuthorizationRequest({
    ...(environment !== undefined ? { environment } : { baseUrl }),
    clientId,
    redirectUri,
    ...optional,
  });
  if (values.json) return out.stdout(`${JSON.stringify({ ...request }, null, 2)}\n`);
  const lines = [request.url, `state: ${request.state}`, `nonce: ${request.nonce}`];
  if (request.codeVerifier !== null) lines.push(`codeVerifier: ${request.codeVerifier}`);
  return out.stdout(`${lines.join('\n')}\n`);
}

async function commandConvertKey(argv, _env, out) {
  const { values, positionals } = parseCommand(argv, {
    to: { type: 'string', default: 'pkcs8' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return out.stdout(HELP['convert-key']);
  if (positionals.length !== 1) throw usage('convert-key needs exactly one <file> (or - for stdin)');
  if (!['pkcs8', 'pkcs1', 'xml'].includes(values.to)) throw usage('--to must be pkcs8, pkcs1 or xml');
  const key = core.PrivateKey.parse(readText(positionals[0], 'key file'));
  let text = values.to === 'xml' ? key.toXml() : key.toPem(values.to);
  if (!text.endsWith('\n')) text += '\n';
  if (values.out === undefined) return out.stdout(text);
  // A private key: readable by its owner only, also when the file already existed (it is replaced).
  writeSecretFile(values.out, text);
  return out.stderr(`wrote ${values.to} key (${key.bits} bits) to ${values.out}\n`);
}

function decodeSegment(segment, what) {
  if (!/^[A-Za-z0-9_-]*$/.test(segment))
    throw new core.SuperOfficeAuthError('ERR_JWT_MALFORMED', `the JWT ${what} is not base64url`);
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value;
  } catch (cause) {
    throw new core.SuperOfficeAuthError('ERR_JWT_MALFORMED', `the JWT ${what} is not a JSON object`, { cause });
  }
}

async function loadKeys(source, timeoutMs) {
  if (!/^https?:\/\//i.test(source)) return readText(source, 'keys file');
  let res;
  try {
    res = await fetch(source, {
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { Accept: 'application/json' },
    });
  } catch (cause) {
    if (cause && cause.name === 'TimeoutError')
      throw new core.SuperOfficeAuthError('ERR_TIMEOUT', `no answer from ${source} within ${timeoutMs} ms`, { cause });
    throw new core.SuperOfficeAuthError('ERR_FETCH_FAILED', `fetching ${source} failed`, { cause });
  }
  if (!res.ok)
    throw new core.SuperOfficeAuthError('ERR_HTTP_STATUS', `unexpected HTTP status ${res.status} from ${source}`, {
      status: res.status,
    });
  return res.text();
}

async function commandInspect(argv, _env, out) {
  const { values, positionals } = parseCommand(argv, {
    keys: { type: 'string' },
    'client-id': { type: 'string' },
    environment: { type: 'string', short: 'e' },
    issuer: { type: 'string' },
    audience: { type: 'string' },
    nonce: { type: 'string' },
    'leeway-seconds': { type: 'string' },
    reveal: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return out.stdout(HELP.inspect);
  if (positionals.length !== 1) throw usage('inspect needs exactly one <jwt> (or - for stdin)');
  const jwt = (positionals[0] === '-' ? readText('-', 'JWT') : positionals[0]).trim();
  const parts = jwt.split('.');
  if (parts.length !== 3)
    throw new core.SuperOfficeAuthError('ERR_JWT_MALFORMED', 'a JWT has three dot-separated parts');
  const header = decodeSegment(parts[0], 'header');
  const claims = decodeSegment(parts[1], 'payload');
  const clientId = values['client-id'];
  if (clientId !== undefined) {
    if (values.audience !== undefined)
      throw usage('--client-id is the audience of an id_token; give --audience or --client-id, not both');
    if (values.environment !== undefined && values.issuer !== undefined)
      throw usage('give --environment or --issuer, not both');
    if (values.keys !== undefined && values.environment === undefined && values.issuer === undefined) {
      throw usage('validating an id_token needs its issuer: give --environment or --issuer');
    }
  } else if (values.environment !== undefined) {
    throw usage('--environment names an id_token issuer and goes with --client-id');
  }

  let validation = null;
  let superIdToken = null;
  if (values.keys !== undefined) {
    const leewaySeconds = values['leeway-seconds'] === undefined ? undefined : Number(values['leeway-seconds']);
    if (leewaySeconds !== undefined && !Number.isInteger(leewaySeconds))
      throw usage('--leeway-seconds must be an integer');
    const keys = await loadKeys(values.keys, 10_000);
    let checked;
    let check;
    if (clientId !== undefined) {
      const where = values.environment !== undefined ? { environment: values.environment } : { issuer: values.issuer };
      const options = { ...where, keys, clientId, nonce: values.nonce, leewaySeconds };
      checked = [
        'signature',
        'expiry',
        `issuer ${values.issuer ?? `of ${values.environment}`}`,
        `audience ${clientId}`,
      ];
      check = () => {
        superIdToken = core.parseSuperIdToken(jwt, options);
      };
    } else {
      // SuperOffice's own client checks these two for a system-user token; another token gets only
      // what the flags ask for.
      const serial = claims[`${CLAIM}serial`];
      const systemUserToken = typeof serial === 'string' && claims.iss === 'SuperOffice AS';
      const options = {
        keys,
        issuer: values.issuer ?? (systemUserToken ? 'SuperOffice AS' : undefined),
        audience: values.audience ?? (systemUserToken ? `spn:${serial}` : undefined),
        nonce: values.nonce,
        leewaySeconds,
      };
      checked = ['signature', 'expiry'];
      if (options.issuer !== undefined) checked.push(`issuer ${options.issuer}`);
      if (options.audience !== undefined) checked.push(`audience ${options.audience}`);
      check = () => core.validateToken(jwt, options);
    }
    if (values.nonce !== undefined) checked.push('nonce');
    try {
      check();
      validation = { valid: true, checked };
    } catch (err) {
      if (err?.name !== 'SuperOfficeAuthError') throw err;
      validation = { valid: false, error: err };
    }
  }

  const shown = redactClaims(claims, values.reveal);
  const typed = superIdSummary(superIdToken, values.reveal);
  if (values.json) {
    out.stdout(
      `${JSON.stringify(
        {
          header,
          claims: shown,
          ...(validation ? { valid: validation.valid } : {}),
          ...(validation && !validation.valid
            ? {
                error: {
                  code: validation.error.code,
                  message: validation.error.message,
                  ...(validation.error.claim ? { claim: validation.error.claim } : {}),
                },
              }
            : {}),
          ...(typed ? { superIdToken: typed } : {}),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    // SuperOffice writes iat as a string of digits in id_tokens.
    const times = ['iat', 'nbf', 'exp']
      .filter(
        (name) =>
          typeof claims[name] === 'number' || (typeof claims[name] === 'string' && /^\d{1,12}$/.test(claims[name])),
      )
      .map((name) => `  ${name}: ${new Date(Number(claims[name]) * 1000).toISOString()}`);
    out.stdout(
      `header:\n${JSON.stringify(header, null, 2)}\nclaims:\n${JSON.stringify(shown, null, 2)}\n${times.length ? `times (UTC):\n${times.join('\n')}\n` : ''}`,
    );
    if (typed) out.stdout(`SuperIdToken:\n${JSON.stringify(typed, null, 2)}\n`);
    if (!validation) out.stdout('not validated (give --keys to check the signature and claims)\n');
    else if (validation.valid) out.stdout(`valid: ${validation.checked.join(', ')} verified\n`);
  }
  if (validation && !validation.valid) throw validation.error;
  return undefined;
}

/**
 * parseArgs for a command's arguments (argv without the command). Its own messages quote what was typed
 * ("Unknown option '--aplication-token=...'"), and what was typed may be a secret pasted in the wrong
 * place, so a failure is described by position and by our own option names only: argument 1 is the
 * command, so `args[i]` is argument i + 2.
 * @param {string[]} args
 * @param {Record<string, import('node:util').ParseArgsOptionDescriptor>} options
 * @returns {{ values: Record<string, any>, positionals: string[] }}
 */
function parseCommand(args, options) {
  try {
    return parseArgs({ args, options, allowPositionals: true });
  } catch (err) {
    if (!err || !String(err.code).startsWith('ERR_PARSE_ARGS')) throw err;
    throw usage(describeParseFailure(args, options));
  }
}

function describeParseFailure(args, options) {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const position = token.index + 2;
    if (!Object.hasOwn(options, token.name)) return `unknown option (argument ${position}); see --help`;
    const name = `--${token.name}`;
    if (options[token.name].type === 'boolean') {
      if (token.value !== undefined) return `option ${name} (argument ${position}) takes no value`;
    } else if (token.value === undefined) {
      return `option ${name} (argument ${position}) needs a value`;
    } else if (!token.inlineValue && token.value.startsWith('-')) {
      return `option ${name} (argument ${position}): the next argument starts with "-"; write ${name}=VALUE if that is its value`;
    }
  }
  return 'the arguments cannot be read; see --help';
}

async function commandVerifyWebhook(argv, env, out) {
  const { values, positionals } = parseCommand(argv, {
    'secret-file': { type: 'string', multiple: true },
    signature: { type: 'string' },
    'event-id': { type: 'string' },
    'max-age-seconds': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return out.stdout(HELP['verify-webhook']);
  if (positionals.length > 0) throw usage('verify-webhook reads the body from stdin and takes no arguments');
  const files = values['secret-file'] ?? (env.SO_WEBHOOK_SECRET_FILE ? [env.SO_WEBHOOK_SECRET_FILE] : []);
  if (files.length === 0) throw usage('give the webhook secret with --secret-file (or SO_WEBHOOK_SECRET_FILE)');
  const secret = files.map((file) => readSecretFile(file, 'secret file'));
  let body;
  try {
    body = fs.readFileSync(0);
  } catch (err) {
    throw usage(`cannot read the body from stdin: ${err.code ?? err.message}`);
  }
  const headers = {};
  if (values.signature !== undefined) headers['x-superoffice-signature'] = values.signature;
  if (values['event-id'] !== undefined) headers['x-superoffice-eventid'] = values['event-id'];
  let event;
  try {
    event = core.verifyWebhook({
      body: new Uint8Array(body),
      headers,
      secret,
      maxAgeSeconds: positiveInteger(values['max-age-seconds'], '--max-age-seconds'),
    });
  } catch (err) {
    if (err && err.reason === 'signature-mismatch') out.stderr(bodyHints(body));
    throw err;
  }
  if (values.json) return out.stdout(`${JSON.stringify({ ...event, payload: undefined }, null, 2)}\n`);
  const what = event.test
    ? 'the registration test event'
    : `${event.event} of ${event.entity ?? 'a webhook'} ${event.primaryKey}`;
  return out.stdout(
    `verified: ${what}, tenant ${event.contextIdentifier}, EventId ${event.eventId}, ${event.timestamp.toISOString()}\n`,
  );
}

/** What commonly separates a saved body from the bytes SuperOffice signed; nothing secret. */
function bodyHints(body) {
  const text = body.toString('utf8');
  const hints = [`the body read has ${body.length} bytes`];
  if (/\r?\n$/.test(text)) hints.push('it ends with a line break (an editor or `echo` may have added it)');
  if (text.startsWith('\uFEFF')) hints.push('it starts with a byte order mark');
  if (text.includes('\r\n')) hints.push('its lines end in CRLF');
  else if (text.includes('\n')) hints.push('its lines end in LF (SuperOffice may have sent CRLF)');
  return `${hints.join('; ')}\n`;
}

const COMMANDS = {
  ticket: commandTicket,
  refresh: commandRefresh,
  authorize: commandAuthorize,
  'convert-key': commandConvertKey,
  inspect: commandInspect,
  call: commandCall,
  get: commandGet,
  'verify-webhook': commandVerifyWebhook,
};

/**
 * Runs the CLI. Returns the exit code; writes through `out` so tests can call it in-process too.
 */
async function main(
  argv = process.argv.slice(2),
  env = process.env,
  out = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
) {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h') {
      out.stdout(HELP.main);
      return 0;
    }
    if (command === 'help') {
      out.stdout(rest[0] !== undefined && Object.hasOwn(HELP, rest[0]) ? HELP[rest[0]] : HELP.main);
      return 0;
    }
    if (command === '--version' || command === '-v') {
      out.stdout(`${require('./package.json').version}\n`);
      return 0;
    }
    // Never echoed: a secret pasted as the first argument would land in the terminal and its logs.
    if (!Object.hasOwn(COMMANDS, command)) throw usage('unknown command (argument 1); see superoffice-auth --help');
    await COMMANDS[command](rest, env, out);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      out.stderr(`ERR_INVALID_ARGUMENT: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err && err.name === 'SuperOfficeAuthError') {
      const extra =
        // A webhook refusal's message is its reason already.
        err.reason && err.code !== 'ERR_WEBHOOK_INVALID'
          ? ` (${err.reason})`
          : err.oauthError && !err.message.includes(err.oauthError)
            ? ` (${err.oauthError})`
            : '';
      out.stderr(`${err.code}: ${err.message}${extra}\n`);
      return err.code === 'ERR_INVALID_ARGUMENT' ? EXIT_USAGE : EXIT_FAILURE;
    }
    out.stderr(`ERR_UNEXPECTED: ${err?.message ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}

module.exports = { main };
