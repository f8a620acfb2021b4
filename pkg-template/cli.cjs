#!/usr/bin/env node
'use strict';
// `npx superoffice-auth ...`: get a ticket, convert a key, inspect a JWT, from a shell.
//
// Secrets (application token, system user token, private key) are read from environment variables or
// files and are never printed, not even in error messages. The only credential printed is the one asked
// for: the ticket from `ticket`, or the key from `convert-key`.
// Exit codes: 0 success, 1 failure (printed as `CODE: message`), 2 bad usage (ERR_INVALID_ARGUMENT).

const fs = require('node:fs');
const { parseArgs } = require('node:util');
const core = require('./index.cjs');

const CLAIM = 'http://schemes.superoffice.net/identity/';
const SECRET_CLAIMS = new Set([`${CLAIM}ticket`, `${CLAIM}system_token`]);
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const HELP = {
  main: `superoffice-auth: SuperOffice CRM Online system-user authentication from a shell.

Usage:
  superoffice-auth ticket [options]              obtain a system user ticket
  superoffice-auth convert-key <file> [options]  convert a private key (XML, PKCS#1, PKCS#8)
  superoffice-auth inspect <jwt> [options]       decode a JWT, validate it when keys are given
  superoffice-auth <command> --help              help for one command
  superoffice-auth --version

Exit codes: 0 success, 1 failure (printed as "CODE: message" on stderr), 2 bad usage.
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
  inspect: `superoffice-auth inspect <jwt> [--keys <file|url>] [options]

Decodes a JWT and prints its header and claims. With --keys it also validates the token (RS256
signature, exp/nbf, issuer, audience) and exits 1 when it is not valid. <jwt> may be - for stdin.
A token with SuperOffice's serial claim is checked for issuer "SuperOffice AS" and audience
spn:{serial}, as SuperOffice's own client does; --issuer and --audience override that.

      --keys <file|url>         JWKS or PEM certificate(s); an http(s) URL is fetched
      --issuer <iss>            expected issuer
      --audience <aud>          expected audience
      --nonce <nonce>           expected nonce (id_tokens)
      --leeway-seconds <n>      clock-skew allowance, default 60
      --reveal                  print the ticket and system_token claims (redacted by default)
      --json                    print { header, claims, valid } as JSON
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
    // The path is the user's own input, the content is never shown.
    throw usage(`cannot read ${what} ${path === '-' ? 'from stdin' : path}: ${err.code ?? err.message}`);
  }
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

async function commandTicket(argv, env, out) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      environment: { type: 'string', short: 'e' },
      'base-url': { type: 'string' },
      'context-identifier': { type: 'string', short: 'c' },
      'private-key-file': { type: 'string', short: 'k' },
      'application-token': { type: 'string' },
      'system-user-token': { type: 'string' },
      transport: { type: 'string' },
      keys: { type: 'string' },
      'timeout-ms': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return out.stdout(HELP.ticket);
  if (positionals.length) throw usage(`unexpected argument ${positionals[0]}`);

  let environment;
  let baseUrl;
  if (values.environment !== undefined || values['base-url'] !== undefined) {
    if (values.environment !== undefined && values['base-url'] !== undefined) throw usage('give --environment or --base-url, not both');
    environment = values.environment;
    baseUrl = values['base-url'];
  } else {
    environment = pick(undefined, 'SO_ENVIRONMENT', env);
    baseUrl = pick(undefined, 'SO_BASE_URL', env);
    if (environment !== undefined && baseUrl !== undefined) throw usage('SO_ENVIRONMENT and SO_BASE_URL are both set; set one');
  }
  if (environment === undefined && baseUrl === undefined) throw usage('missing --environment (SO_ENVIRONMENT) or --base-url (SO_BASE_URL)');
  const contextIdentifier = pick(values['context-identifier'], 'SO_CONTEXT_IDENTIFIER', env);
  if (contextIdentifier === undefined) throw usage('missing --context-identifier (SO_CONTEXT_IDENTIFIER)');
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
  const result = await client.getTicket({ contextIdentifier, systemUserToken });
  if (!values.json) return out.stdout(`${result.ticket}\n`);
  // The ticket is what was asked for; the system user token claim (if the server sends one) was not.
  const claims = { ...result.claims };
  if (typeof claims[`${CLAIM}system_token`] === 'string') claims[`${CLAIM}system_token`] = '[redacted]';
  return out.stdout(`${JSON.stringify({
    ticket: result.ticket,
    contextIdentifier: result.contextIdentifier,
    serial: result.serial,
    netserverUrl: result.netserverUrl,
    webapiUrl: result.webapiUrl,
    isAdministrator: result.isAdministrator,
    expiresAt: result.expiresAt.toISOString(),
    claims,
  }, null, 2)}\n`);
}

async function commandConvertKey(argv, env, out) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      to: { type: 'string', default: 'pkcs8' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return out.stdout(HELP['convert-key']);
  if (positionals.length !== 1) throw usage('convert-key needs exactly one <file> (or - for stdin)');
  if (!['pkcs8', 'pkcs1', 'xml'].includes(values.to)) throw usage('--to must be pkcs8, pkcs1 or xml');
  const key = core.PrivateKey.parse(readText(positionals[0], 'key file'));
  let text = values.to === 'xml' ? key.toXml() : key.toPem(values.to);
  if (!text.endsWith('\n')) text += '\n';
  if (values.out === undefined) return out.stdout(text);
  // A private key: readable by its owner only, also when the file already existed.
  fs.writeFileSync(values.out, text, { mode: 0o600 });
  fs.chmodSync(values.out, 0o600);
  return out.stderr(`wrote ${values.to} key (${key.bits} bits) to ${values.out}\n`);
}

function decodeSegment(segment, what) {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new core.SuperOfficeAuthError('ERR_JWT_MALFORMED', `the JWT ${what} is not base64url`);
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
    res = await fetch(source, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } });
  } catch (cause) {
    if (cause && cause.name === 'TimeoutError') throw new core.SuperOfficeAuthError('ERR_TIMEOUT', `no answer from ${source} within ${timeoutMs} ms`, { cause });
    throw new core.SuperOfficeAuthError('ERR_FETCH_FAILED', `fetching ${source} failed`, { cause });
  }
  if (!res.ok) throw new core.SuperOfficeAuthError('ERR_HTTP_STATUS', `unexpected HTTP status ${res.status} from ${source}`, { status: res.status });
  return res.text();
}

async function commandInspect(argv, env, out) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      keys: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      nonce: { type: 'string' },
      'leeway-seconds': { type: 'string' },
      reveal: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return out.stdout(HELP.inspect);
  if (positionals.length !== 1) throw usage('inspect needs exactly one <jwt> (or - for stdin)');
  const jwt = (positionals[0] === '-' ? readText('-', 'JWT') : positionals[0]).trim();
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new core.SuperOfficeAuthError('ERR_JWT_MALFORMED', 'a JWT has three dot-separated parts');
  const header = decodeSegment(parts[0], 'header');
  const claims = decodeSegment(parts[1], 'payload');

  let validation = null;
  if (values.keys !== undefined) {
    const leewaySeconds = values['leeway-seconds'] === undefined ? undefined : Number(values['leeway-seconds']);
    if (leewaySeconds !== undefined && !Number.isInteger(leewaySeconds)) throw usage('--leeway-seconds must be an integer');
    const serial = claims[`${CLAIM}serial`];
    const systemUserToken = typeof serial === 'string';
    const options = {
      keys: await loadKeys(values.keys, 10_000),
      issuer: values.issuer ?? (systemUserToken ? 'SuperOffice AS' : undefined),
      audience: values.audience ?? (systemUserToken ? `spn:${serial}` : undefined),
      nonce: values.nonce,
      leewaySeconds,
    };
    try {
      core.validateToken(jwt, options);
      validation = { valid: true };
    } catch (err) {
      if (!err || err.name !== 'SuperOfficeAuthError') throw err;
      validation = { valid: false, error: err };
    }
  }

  const shown = redactClaims(claims, values.reveal);
  if (values.json) {
    out.stdout(`${JSON.stringify({
      header,
      claims: shown,
      ...(validation ? { valid: validation.valid } : {}),
      ...(validation && !validation.valid ? { error: { code: validation.error.code, message: validation.error.message } } : {}),
    }, null, 2)}\n`);
  } else {
    const times = ['iat', 'nbf', 'exp']
      .filter((name) => typeof claims[name] === 'number')
      .map((name) => `  ${name}: ${new Date(claims[name] * 1000).toISOString()}`);
    out.stdout(`header:\n${JSON.stringify(header, null, 2)}\nclaims:\n${JSON.stringify(shown, null, 2)}\n${times.length ? `times (UTC):\n${times.join('\n')}\n` : ''}`);
    if (!validation) out.stdout('not validated (give --keys to check the signature and claims)\n');
    else if (validation.valid) out.stdout('valid: signature, expiry, issuer and audience verified\n');
  }
  if (validation && !validation.valid) throw validation.error;
  return undefined;
}

const COMMANDS = { ticket: commandTicket, 'convert-key': commandConvertKey, inspect: commandInspect };

/**
 * Runs the CLI. Returns the exit code; writes through `out` so tests can call it in-process too.
 */
async function main(argv = process.argv.slice(2), env = process.env, out = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}) {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h') {
      out.stdout(HELP.main);
      return 0;
    }
    if (command === 'help') {
      out.stdout(HELP[rest[0]] ?? HELP.main);
      return 0;
    }
    if (command === '--version' || command === '-v') {
      out.stdout(`${require('./package.json').version}\n`);
      return 0;
    }
    const run = COMMANDS[command];
    if (!run) throw usage(`unknown command ${command}; see superoffice-auth --help`);
    await run(rest, env, out);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err && err.code && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      // parseArgs' own messages name the option, never its value.
      out.stderr(`ERR_INVALID_ARGUMENT: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err && err.name === 'SuperOfficeAuthError') {
      const extra = err.reason ? ` (${err.reason})` : '';
      out.stderr(`${err.code}: ${err.message}${extra}\n`);
      return err.code === 'ERR_INVALID_ARGUMENT' ? EXIT_USAGE : EXIT_FAILURE;
    }
    out.stderr(`ERR_UNEXPECTED: ${err && err.message ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}

module.exports = { main };
