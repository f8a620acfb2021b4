// The benchmark (issue 5): superoffice-auth side by side with node:crypto, the NodeJS sample's pipeline
// (xml2js + jsonwebtoken) and fast-xml-parser + jose, on the same inputs, in one run. Prints a table and
// writes bench-results/bench.json. Never a timed test: numbers depend on the machine and its load, so
// targets are judged on ratios computed within one run.
//
// Usage: npm run bench [-- --no-build] [--quick] [--label NAME]
//   --no-build   reuse pkg/ as it is (still packed and installed into a scratch project)
//   --quick      fewer rounds and shorter batches (for iterating; not for the README)
//   --label      also writes bench-results/bench-NAME.json
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  buildPackage,
  capture,
  ensureDevDependencies,
  installIntoScratch,
  pkgDir,
  root,
  run,
  step,
  useMachineNode,
} from './lib.mjs';

useMachineNode();

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const QUICK = flag('--quick');
const ROUNDS = QUICK ? 3 : 7;
const BATCH_MS = QUICK ? 40 : 120;
const COLD_RUNS = QUICK ? 5 : 15;
const MEMORY_CALLS = 100_000;
const label = option('--label');

// ---------------------------------------------------------------------------------------------------
// Setup: devDependencies (the comparison libraries), the package built, packed and installed.

const PEERS = ['jose', 'jsonwebtoken', 'xml2js', 'fast-xml-parser'];
ensureDevDependencies();
const rootRequire = createRequire(join(root, 'package.json'));
if (!PEERS.every((name) => existsSync(join(root, 'node_modules', name, 'package.json')))) {
  step('installing the benchmark peers (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
if (!flag('--no-build') || !existsSync(join(pkgDir, 'superoffice_auth_wasm_bg.wasm'))) buildPackage();
step('installing the packed package into a scratch project');
const { scratch, tarball } = installIntoScratch();
const installed = join(scratch, 'node_modules', 'superoffice-auth');
const scratchRequire = createRequire(join(scratch, 'package.json'));
const sut = scratchRequire('superoffice-auth');
// The wasm-bindgen glue, by file name: the same module instance core/wasm.cjs loaded (exports map bypassed
// on purpose; this is the benchmark peeking at linear memory, not API).
const glue = scratchRequire(join(installed, 'superoffice_auth_wasm.js'));

const jose = await import('jose');
const jsonwebtoken = rootRequire('jsonwebtoken');
const xml2js = rootRequire('xml2js');
const { XMLParser } = rootRequire('fast-xml-parser');

// ---------------------------------------------------------------------------------------------------
// Test material, made with node:crypto only.

step('making test material with node:crypto');
const IDENTITY = 'http://schemes.superoffice.net/identity/';
const PSU_NS = 'http://www.superoffice.com/superid/partnersystemuser/0.1';
const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function keyMaterial(modulusLength) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  const jwk = privateKey.export({ format: 'jwk' });
  const b64 = (value) => Buffer.from(value, 'base64url').toString('base64');
  return {
    privateKey,
    publicKey,
    pkcs8: privateKey.export({ format: 'pem', type: 'pkcs8' }),
    spki: publicKey.export({ format: 'pem', type: 'spki' }),
    xml:
      `<RSAKeyValue><Modulus>${b64(jwk.n)}</Modulus><Exponent>${b64(jwk.e)}</Exponent><P>${b64(jwk.p)}</P>` +
      `<Q>${b64(jwk.q)}</Q><DP>${b64(jwk.dp)}</DP><DQ>${b64(jwk.dq)}</DQ><InverseQ>${b64(jwk.qi)}</InverseQ>` +
      `<D>${b64(jwk.d)}</D></RSAKeyValue>`,
  };
}

function mintJwt(header, payload, privateKey) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

const rsa2048 = keyMaterial(2048);
const rsa4096 = keyMaterial(4096);
const issuerKey = keyMaterial(2048); // SuperOffice's token-signing key (the Federated Login certificate's)
const NOW = Date.now();
const nowSeconds = Math.floor(NOW / 1000);
const claims = {
  iss: 'SuperOffice AS',
  aud: 'spn:a1b2c3d4-e5f6-47a8-9b0c-d1e2f3a4b5c6',
  iat: nowSeconds,
  nbf: nowSeconds,
  exp: nowSeconds + 3600,
  [`${IDENTITY}ticket`]: '7T:MQAxADcAOQA7ADIAMgA7ADkAOAAzADYAMgA1ADQANgA4ADsAUwB5AHMAdABlAG0AVQBzAGUAcgA=',
  [`${IDENTITY}email`]: 'system.user@example.com',
  [`${IDENTITY}associateid`]: '7',
  [`${IDENTITY}identityprovider`]: 'central-superid',
  [`${IDENTITY}ctx`]: 'Cust12345',
  [`${IDENTITY}serial`]: 'a1b2c3d4-e5f6-47a8-9b0c-d1e2f3a4b5c6',
  [`${IDENTITY}netserver_url`]: 'https://sod2.superoffice.com/Cust12345/Remote/Services88/',
  [`${IDENTITY}webapi_url`]: 'https://sod2.superoffice.com/Cust12345/api/',
  [`${IDENTITY}is_administrator`]: 'False',
  [`${IDENTITY}system_token`]: 'MyApp-8k8Q7DmBgo',
};
const jwt = mintJwt(
  { typ: 'JWT', alg: 'RS256', x5t: 'x5t-thumbprint-of-the-cert', kid: 'x5t-thumbprint-of-the-cert' },
  claims,
  issuerKey.privateKey,
);
// A WCF SOAP 1.1 response as the PartnerSystemUserService sends it (ActivityId header included).
const soapBody =
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>' +
  '<ActivityId CorrelationId="5b2c0f1e-7a7d-4d6e-9f1b-0c2d3e4f5a6b" ' +
  'xmlns="http://schemas.microsoft.com/2004/09/ServiceModel/Diagnostics">00000000-0000-0000-0000-000000000000</ActivityId>' +
  '</s:Header><s:Body>' +
  `<AuthenticationResponse xmlns="${PSU_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
  `<ErrorMessage i:nil="true"/><IsSuccessful>true</IsSuccessful><Token>${jwt}</Token>` +
  '</AuthenticationResponse></s:Body></s:Envelope>';
const response = { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: soapBody };
const SYSTEM_USER_TOKEN = 'MyApp-8k8Q7DmBgo';
const signedData = `${SYSTEM_USER_TOKEN}.202611231405`;

const parsed2048 = sut.PrivateKey.parse(rsa2048.pkcs8);
const parsed4096 = sut.PrivateKey.parse(rsa4096.pkcs8);
const issuerKeySet = sut.KeySet.from(issuerKey.spki);
const issuerKeyObject = issuerKey.publicKey;
const fxp = new XMLParser({ removeNSPrefix: true });

// Sanity: every contender gets the same answer before anything is timed.
{
  const ours = sut.parseTicketResponse(response, { keys: issuerKey.spki, now: NOW });
  const sample = samplePipeline();
  const other = await fxpJosePipeline();
  if (ours.ticket !== sample.ticket || ours.ticket !== other.ticket) throw new Error('pipelines disagree');
  const signed = sut.signToken(SYSTEM_USER_TOKEN, parsed2048, { now: NOW });
  const [token, stamp, signature] = signed.split('.');
  if (!verify('sha256', Buffer.from(`${token}.${stamp}`), rsa2048.publicKey, Buffer.from(signature, 'base64'))) {
    throw new Error('signToken does not verify with node:crypto');
  }
}

/** The NodeJS sample: xml2js, then jsonwebtoken.verify with the certificate's PEM text. */
function samplePipeline() {
  let token;
  xml2js.parseString(soapBody, (error, result) => {
    if (error) throw error;
    const auth = result['s:Envelope']['s:Body'][0].AuthenticationResponse[0];
    if (auth.IsSuccessful[0] !== 'true') throw new Error('denied');
    token = auth.Token[0];
  }); // xml2js calls back synchronously unless { async: true }
  const decoded = jsonwebtoken.verify(token, issuerKey.spki, { algorithms: ['RS256'] });
  return { ticket: decoded[`${IDENTITY}ticket`], decoded };
}

async function fxpJosePipeline() {
  const doc = fxp.parse(soapBody);
  const auth = doc.Envelope.Body.AuthenticationResponse;
  if (auth.IsSuccessful !== true && auth.IsSuccessful !== 'true') throw new Error('denied');
  const { payload } = await jose.jwtVerify(auth.Token, issuerKeyObject, {
    issuer: 'SuperOffice AS',
    algorithms: ['RS256'],
  });
  return { ticket: payload[`${IDENTITY}ticket`], payload };
}

function nodeVerifyJwt(token, key) {
  const dot = token.lastIndexOf('.');
  return verify('sha256', Buffer.from(token.slice(0, dot)), key, Buffer.from(token.slice(dot + 1), 'base64url'));
}

// ---------------------------------------------------------------------------------------------------
// Throughput cases. Each is calibrated to a batch of about BATCH_MS, then timed ROUNDS times,
// interleaved with the other cases of its group so that load changes hit all contenders alike.

const groups = [
  {
    name: 'sign RSA 2048',
    cases: {
      'signToken, PrivateKey': () => sut.signToken(SYSTEM_USER_TOKEN, parsed2048, { now: NOW }),
      'signToken, PEM text': () => sut.signToken(SYSTEM_USER_TOKEN, rsa2048.pkcs8, { now: NOW }),
      'signToken, XML text': () => sut.signToken(SYSTEM_USER_TOKEN, rsa2048.xml, { now: NOW }),
      'node:crypto.sign, KeyObject': () =>
        sign('sha256', Buffer.from(signedData), rsa2048.privateKey).toString('base64'),
      'node:crypto.sign, PEM text': () => sign('sha256', Buffer.from(signedData), rsa2048.pkcs8).toString('base64'),
    },
  },
  {
    name: 'sign RSA 4096',
    cases: {
      'signToken, PrivateKey': () => sut.signToken(SYSTEM_USER_TOKEN, parsed4096, { now: NOW }),
      'signToken, PEM text': () => sut.signToken(SYSTEM_USER_TOKEN, rsa4096.pkcs8, { now: NOW }),
      'node:crypto.sign, KeyObject': () =>
        sign('sha256', Buffer.from(signedData), rsa4096.privateKey).toString('base64'),
      'node:crypto.sign, PEM text': () => sign('sha256', Buffer.from(signedData), rsa4096.pkcs8).toString('base64'),
    },
  },
  {
    name: 'parseTicketResponse (SOAP, RSA 2048)',
    cases: {
      'parseTicketResponse, keys PEM text': () => sut.parseTicketResponse(response, { keys: issuerKey.spki, now: NOW }),
      'parseTicketResponse, KeySet': () => sut.parseTicketResponse(response, { keys: issuerKeySet, now: NOW }),
      'sample: xml2js + jsonwebtoken.verify(PEM)': samplePipeline,
      'fast-xml-parser + jose.jwtVerify(KeyObject)': { async: true, fn: fxpJosePipeline },
    },
  },
  {
    name: 'JWT validation (RS256, 2048)',
    cases: {
      'validateToken, KeySet': () => sut.validateToken(jwt, { keys: issuerKeySet, now: NOW, audience: claims.aud }),
      'jose.jwtVerify, KeyObject': { async: true, fn: () => jose.jwtVerify(jwt, issuerKeyObject) },
      'jsonwebtoken.verify, PEM text': () => jsonwebtoken.verify(jwt, issuerKey.spki, { algorithms: ['RS256'] }),
      'node:crypto.verify, KeyObject (signature only)': () => nodeVerifyJwt(jwt, issuerKeyObject),
    },
  },
  {
    name: 'other',
    cases: {
      'buildTicketRequest (SOAP)': () =>
        sut.buildTicketRequest({
          environment: 'online',
          applicationToken: 'app-token',
          contextIdentifier: 'Cust12345',
          signedSystemToken: 'x.y.z',
        }),
      'PrivateKey.parse (PEM, 2048)': () => sut.PrivateKey.parse(rsa2048.pkcs8),
      'KeySet.from (SPKI PEM)': () => sut.KeySet.from(issuerKey.spki),
      'node:crypto.createPrivateKey (PEM, 2048)': () => createPrivateKey(rsa2048.pkcs8),
      'node:crypto.createPublicKey (SPKI PEM)': () => createPublicKey(issuerKey.spki),
    },
  },
];

const now = () => process.hrtime.bigint();
async function timeBatch(c, n) {
  const { fn } = c;
  const start = now();
  if (c.async) for (let i = 0; i < n; i++) await fn();
  else for (let i = 0; i < n; i++) fn();
  return Number(now() - start);
}

async function calibrate(c) {
  // Warm-up: at least 20 calls and 150 ms (JIT tiers, wasm tier-up, caches).
  const warmStart = now();
  for (let i = 0; i < 20 || Number(now() - warmStart) < 150e6; i++) await timeBatch(c, 1);
  let n = 1;
  for (;;) {
    const ns = await timeBatch(c, n);
    if (ns >= (BATCH_MS * 1e6) / 4) return Math.max(1, Math.round((n * BATCH_MS * 1e6) / ns));
    n *= 2;
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const results = {};
for (const group of groups) {
  step(`timing: ${group.name}`);
  const cases = Object.entries(group.cases).map(([name, value]) => ({
    name,
    ...(typeof value === 'function' ? { fn: value, async: false } : value),
    samples: [],
  }));
  for (const c of cases) c.n = await calibrate(c);
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) c.samples.push((await timeBatch(c, c.n)) / c.n);
  }
  results[group.name] = {};
  for (const c of cases) {
    const ns = median(c.samples);
    results[group.name][c.name] = {
      medianUs: ns / 1000,
      opsPerSecond: 1e9 / ns,
      batch: c.n,
      rounds: ROUNDS,
      minUs: Math.min(...c.samples) / 1000,
      maxUs: Math.max(...c.samples) / 1000,
    };
    console.log(`  ${c.name.padEnd(50)} ${fmtUs(ns / 1000).padStart(10)}  (${c.n} per batch)`);
  }
}

function fmtUs(us) {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
}

// ---------------------------------------------------------------------------------------------------
// node:crypto's signing without AVX-512 IFMA (context for the sign row). OpenSSL 3 computes RSA with
// 52-bit-limb AVX-512 IFMA code where the CPU has it (AMD Zen 4, Intel Ice Lake and later), which
// signs several times faster than its generic code; verification (a short public exponent) barely
// changes. So the sign ratio is only comparable between runs on CPUs of the same kind: the same
// signToken reads more than twice the ratio against the IFMA code as against the generic code. The
// capability is masked for one child process (OPENSSL_ia32cap, read when OpenSSL starts), timed
// like the groups above; not interleaved with ours, so read it as context, never as a target.

const ifma = /\bavx512ifma\b/.test(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '');
let signWithoutIfma = {
  available: false,
  note: 'the CPU has no AVX-512 IFMA (node:crypto already uses its generic code)',
};
if (ifma && arch() === 'x64') {
  step('node:crypto.sign without AVX-512 IFMA (one child process, context for the sign row)');
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
      import { createPrivateKey, sign } from 'node:crypto';
      const key = createPrivateKey(process.env.BENCH_PKCS8);
      const data = Buffer.from(process.env.BENCH_DATA);
      const time = (n) => { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) sign('sha256', data, key); return Number(process.hrtime.bigint() - t); };
      const warm = process.hrtime.bigint();
      while (Number(process.hrtime.bigint() - warm) < 150e6) time(1);
      let n = 1;
      while (time(n) < ${BATCH_MS} * 1e6 / 4) n *= 2;
      n = n * 4;
      const samples = [];
      for (let round = 0; round < ${ROUNDS}; round++) samples.push(time(n) / n);
      samples.sort((a, b) => a - b);
      console.log(JSON.stringify({ medianUs: samples[samples.length >> 1] / 1000 }));`,
    ],
    {
      encoding: 'utf8',
      // Leaf 7 EBX bit 21 (AVX512IFMA) cleared in OpenSSL's view of the CPU.
      env: { ...process.env, OPENSSL_ia32cap: ':~0x200000', BENCH_PKCS8: rsa2048.pkcs8, BENCH_DATA: signedData },
    },
  );
  if (child.status !== 0) throw new Error(`node:crypto.sign without IFMA failed: ${child.stderr}`);
  const { medianUs } = JSON.parse(child.stdout.trim().split('\n').pop());
  signWithoutIfma = { available: true, medianUs };
  console.log(`  ${'node:crypto.sign, KeyObject, generic code'.padEnd(50)} ${fmtUs(medianUs).padStart(10)}`);
}

// ---------------------------------------------------------------------------------------------------
// Cold start: a fresh node process imports the library and makes its first call (validate one JWT with
// an SPKI PEM), timed inside the child from before the import to after the call, and from process start
// (performance.now() counts from the process' time origin).

step(`cold start (${COLD_RUNS} fresh processes each)`);
const coldScripts = {
  'superoffice-auth': `
    const t0 = process.hrtime.bigint();
    const { validateToken } = await import(process.env.BENCH_MODULE);
    validateToken(process.env.BENCH_JWT, { keys: process.env.BENCH_SPKI, now: Number(process.env.BENCH_NOW), audience: process.env.BENCH_AUD });
    const t1 = process.hrtime.bigint();
    console.log(JSON.stringify({ importAndCallMs: Number(t1 - t0) / 1e6, sinceStartMs: performance.now() }));`,
  jose: `
    const t0 = process.hrtime.bigint();
    const { importSPKI, jwtVerify } = await import(process.env.BENCH_MODULE);
    const key = await importSPKI(process.env.BENCH_SPKI, 'RS256');
    await jwtVerify(process.env.BENCH_JWT, key, { currentDate: new Date(Number(process.env.BENCH_NOW)) });
    const t1 = process.hrtime.bigint();
    console.log(JSON.stringify({ importAndCallMs: Number(t1 - t0) / 1e6, sinceStartMs: performance.now() }));`,
};
const coldModules = {
  'superoffice-auth': pathToFileURL(join(installed, 'index.mjs')).href,
  jose: import.meta.resolve('jose'),
};
const cold = {};
for (const name of Object.keys(coldScripts)) cold[name] = { importAndCallMs: [], sinceStartMs: [] };
for (let i = 0; i < COLD_RUNS; i++) {
  for (const [name, script] of Object.entries(coldScripts)) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: {
        ...process.env,
        BENCH_MODULE: coldModules[name],
        BENCH_JWT: jwt,
        BENCH_SPKI: issuerKey.spki,
        BENCH_AUD: claims.aud,
        BENCH_NOW: String(NOW),
      },
    });
    if (child.status !== 0) throw new Error(`cold start of ${name} failed: ${child.stderr}`);
    const sample = JSON.parse(child.stdout.trim().split('\n').pop());
    cold[name].importAndCallMs.push(sample.importAndCallMs);
    cold[name].sinceStartMs.push(sample.sinceStartMs);
  }
}
const coldStart = {};
for (const [name, samples] of Object.entries(cold)) {
  coldStart[name] = {
    importAndCallMs: median(samples.importAndCallMs),
    sinceStartMs: median(samples.sinceStartMs),
    runs: COLD_RUNS,
  };
  console.log(
    `  ${name.padEnd(20)} import + first call ${coldStart[name].importAndCallMs.toFixed(1)} ms, ` +
      `process start to done ${coldStart[name].sinceStartMs.toFixed(1)} ms`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Sizes.

const wasmBytes = readFileSync(join(installed, 'superoffice_auth_wasm_bg.wasm'));
const sizes = {
  wasmBytes: wasmBytes.length,
  wasmGzipBytes: gzipSync(wasmBytes, { level: 9 }).length,
  tarballBytes: statSync(tarball).size,
};
step('sizes');
console.log(
  `  .wasm ${kB(sizes.wasmBytes)} raw, ${kB(sizes.wasmGzipBytes)} gzip -9; tarball ${kB(sizes.tarballBytes)}`,
);
function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
/** Decimal kilobytes (the size target's unit), with KiB beside them. */
function kB(bytes) {
  return `${(bytes / 1000).toFixed(1)} KB (${kb(bytes)})`;
}

// ---------------------------------------------------------------------------------------------------
// Runtimes: each entry's size, and cold start (first validateToken) in Node, Deno, Bun and workerd.

const RUNTIME_RUNS = QUICK ? 3 : 7;
step(`runtimes: entry sizes, cold start to the first validateToken (${RUNTIME_RUNS} runs each)`);
const { benchRuntimes } = await import('./bench-runtimes.mjs');
const runtimes = await benchRuntimes({
  scratch,
  installed,
  jwt,
  spki: issuerKey.spki,
  audience: claims.aud,
  now: NOW,
  runs: RUNTIME_RUNS,
});
for (const row of runtimes.sizes) {
  console.log(
    `  ${row.entry.padEnd(44)} JS ${kB(row.jsBytes)}, ${kB(row.jsGzipBytes)} gzip; + .wasm ${kB(row.wasmGzipBytes)} gzip`,
  );
}
for (const row of runtimes.coldStart) {
  const inside = row.importAndCallMs === null ? '' : `, import + first call ${row.importAndCallMs.toFixed(1)} ms`;
  console.log(
    `  ${`${row.version} (${row.entry})`.padEnd(44)} spawn to first validateToken ${row.processToFirstCallMs.toFixed(1)} ms${inside}`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Client throughput: cached getTicket calls per second (the first call exchanges through a stub fetch
// that answers with the SOAP response above; every later call is served from the client's cache).

step('client: cached getTicket');
let client = { available: false, note: 'client not available (createSystemUserClient is not exported yet)' };
if (typeof sut.createSystemUserClient === 'function') {
  let exchanges = 0;
  const fakeFetch = async () => {
    exchanges++;
    return new Response(soapBody, { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' } });
  };
  const so = sut.createSystemUserClient({
    environment: 'online',
    applicationToken: 'app-token',
    privateKey: rsa2048.pkcs8,
    keys: issuerKey.spki,
    fetch: fakeFetch,
  });
  const params = { contextIdentifier: 'Cust12345', systemUserToken: SYSTEM_USER_TOKEN };
  await so.getTicket(params);
  const c = { fn: () => so.getTicket(params), async: true };
  const n = await calibrate(c);
  const samples = [];
  for (let round = 0; round < ROUNDS; round++) samples.push((await timeBatch(c, n)) / n);
  const ns = median(samples);
  client = { available: true, cachedGetTicketUs: ns / 1000, callsPerSecond: 1e9 / ns, exchanges };
  console.log(
    `  cached getTicket ${fmtUs(ns / 1000)} (${Math.round(1e9 / ns).toLocaleString('en')} calls/s, ${exchanges} exchange)`,
  );
} else {
  console.log(`  ${client.note}`);
}

// ---------------------------------------------------------------------------------------------------
// Fleet: exchanges per tenant when N processes ask for the same tenants at once, each with its own
// in-memory cache versus all sharing superoffice-auth/redis (a real redis-server on loopback). A count,
// not a time: the shared cache's point is credential records at SuperOffice, one per tenant.

const FLEET_PROCESSES = QUICK ? 4 : 8;
const FLEET_TENANTS = 20;
step(`fleet: exchanges per tenant, ${FLEET_PROCESSES} processes x ${FLEET_TENANTS} tenants x 2 callers`);
const FLEET_WORKER = `
import { createRequire } from 'node:module';
import { createSystemUserClient } from 'superoffice-auth';
import { createRedisTicketCache } from 'superoffice-auth/redis';
const c = JSON.parse(process.env.FLEET_BENCH);
let redis;
let cache;
if (c.redisUrl) {
  redis = createRequire(c.repoPackageJson)('redis').createClient({ url: c.redisUrl });
  redis.on('error', () => {});
  await redis.connect();
  cache = createRedisTicketCache({ client: redis, keyPrefix: c.keyPrefix });
}
const client = createSystemUserClient({
  baseUrl: c.baseUrl, applicationToken: c.applicationToken, privateKey: c.privateKey, systemUserTokens: c.tenants,
  ...(cache ? { cache } : {}),
});
process.on('message', async () => {
  const started = performance.now();
  await Promise.all(Object.keys(c.tenants).flatMap((contextIdentifier) => [0, 1].map(() => client.getTicket({ contextIdentifier }))));
  const ms = performance.now() - started;
  if (redis) await (typeof redis.close === 'function' ? redis.close() : redis.quit()).catch(() => {});
  process.send({ ms }, () => process.exit(0));
});
process.send({ ready: true });
`;
let fleet = { available: false, note: 'redis-server not available' };
{
  const { ensureRedisServer } = await import('./lib.mjs');
  const { fork } = await import('node:child_process');
  let redisServer = null;
  try {
    ensureRedisServer();
    const { startRedis } = await import(pathToFileURL(join(root, 'js-tests', 'helpers', 'redis-server.mjs')).href);
    redisServer = await startRedis();
  } catch (err) {
    fleet.note = `redis-server not available: ${err.message}`;
  }
  if (redisServer) {
    const workerFile = join(scratch, 'fleet-bench-worker.mjs');
    writeFileSync(workerFile, FLEET_WORKER);
    const { startMockSuperOffice } = scratchRequire('superoffice-auth/testing');
    const runFleetOnce = async (shared) => {
      const mock = await startMockSuperOffice();
      try {
        mock.registerApplication({ applicationToken: 'fleet-app', publicKey: rsa2048.spki });
        const tenants = {};
        for (let i = 1; i <= FLEET_TENANTS; i++) {
          tenants[`Cust${i}`] = `FleetApp-${i}`;
          mock.addTenant({ contextIdentifier: `Cust${i}`, systemUserToken: `FleetApp-${i}` });
        }
        const config = JSON.stringify({
          baseUrl: mock.baseUrl,
          applicationToken: 'fleet-app',
          privateKey: rsa2048.pkcs8,
          tenants,
          redisUrl: shared ? redisServer.url : undefined,
          keyPrefix: `bench-${Date.now()}:`,
          repoPackageJson: join(root, 'package.json'),
        });
        const children = Array.from({ length: FLEET_PROCESSES }, () =>
          fork(workerFile, [], { cwd: scratch, env: { ...process.env, FLEET_BENCH: config } }),
        );
        await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));
        const done = children.map((child) => new Promise((resolve) => child.once('message', resolve)));
        for (const child of children) child.send('go');
        const times = (await Promise.all(done)).map((m) => m.ms);
        return { exchangesPerTenant: mock.stats.authenticate / FLEET_TENANTS, slowestProcessMs: Math.max(...times) };
      } finally {
        await mock.close();
      }
    };
    try {
      const memoryOnly = await runFleetOnce(false);
      const sharedRedis = await runFleetOnce(true);
      fleet = { available: true, processes: FLEET_PROCESSES, tenants: FLEET_TENANTS, memoryOnly, sharedRedis };
      console.log(
        `  ${FLEET_PROCESSES} processes, in-memory caches: ${memoryOnly.exchangesPerTenant.toFixed(2)} exchanges per tenant (all tickets in ${memoryOnly.slowestProcessMs.toFixed(0)} ms)`,
      );
      console.log(
        `  ${FLEET_PROCESSES} processes, shared Redis cache: ${sharedRedis.exchangesPerTenant.toFixed(2)} exchanges per tenant (all tickets in ${sharedRedis.slowestProcessMs.toFixed(0)} ms)`,
      );
    } finally {
      await redisServer.close();
    }
  } else {
    console.log(`  ${fleet.note}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Exchanges per tenant per day (issue 20): 24 simulated hours on the stand-in's clock (it expires a
// ticket 6 hours after its last use, as SuperOffice does), each tenant called every 10 minutes, either
// through client.fetch (the client sees each answer, so a used ticket's life slides) or with headers
// handed out by authHeaders (it cannot, so tickets are renewed every ticketTtlSeconds). A count, not a
// time: each exchange is a credential record in the tenant's database.

const DAY_TENANTS = 10;
step(`exchanges per tenant per day: ${DAY_TENANTS} tenants called every 10 simulated minutes, both kinds of use`);
let exchangesPerDay = { available: false, note: 'stand-in not available' };
{
  const { startMockSuperOffice } = scratchRequire('superoffice-auth/testing');
  let t = Date.UTC(2026, 0, 5);
  const now = () => t;
  const mock = await startMockSuperOffice({ now });
  try {
    mock.registerApplication({ applicationToken: 'day-app', publicKey: rsa2048.spki });
    const tenants = {};
    for (let i = 1; i <= DAY_TENANTS * 2; i++) {
      tenants[`Cust${i}`] = `DayApp-${i}`;
      mock.addTenant({ contextIdentifier: `Cust${i}`, systemUserToken: `DayApp-${i}` });
    }
    const so = sut.createSystemUserClient({
      baseUrl: mock.baseUrl,
      applicationToken: 'day-app',
      privateKey: rsa2048.pkcs8,
      systemUserTokens: tenants,
      now,
    });
    const ids = Object.keys(tenants);
    const viaFetch = ids.slice(0, DAY_TENANTS);
    const handedOut = ids.slice(DAY_TENANTS);
    let failures = 0;
    for (let minute = 0; minute < 24 * 60; minute += 10) {
      await Promise.all([
        ...viaFetch.map(async (ctx) => {
          const res = await so.fetch(ctx, 'v1/User/currentPrincipal');
          await res.arrayBuffer();
          if (res.status !== 200) failures++;
        }),
        ...handedOut.map(async (ctx) => {
          const { webapiUrl } = await so.getTicket({ contextIdentifier: ctx });
          const res = await fetch(new URL('v1/User/currentPrincipal', webapiUrl), {
            headers: await so.authHeaders(ctx),
          });
          await res.arrayBuffer();
          if (res.status !== 200) failures++;
        }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 2)); // a slide's write, a background refresh
      t += 10 * 60_000;
    }
    const perTenant = (group) => group.reduce((n, ctx) => n + mock.stats.tenants[ctx].authenticate, 0) / group.length;
    exchangesPerDay = {
      available: true,
      tenants: DAY_TENANTS,
      callEveryMinutes: 10,
      clientFetch: perTenant(viaFetch),
      handedOut: perTenant(handedOut),
      failedCalls: failures,
    };
    console.log(
      `  through client.fetch (sliding): ${exchangesPerDay.clientFetch.toFixed(2)} exchanges per tenant per day; handed out (authHeaders, fixed 5 h): ${exchangesPerDay.handedOut.toFixed(2)}; ${failures} calls failed`,
    );
  } catch (err) {
    exchangesPerDay.note = `failed: ${err.message}`;
    console.log(`  ${exchangesPerDay.note}`);
  } finally {
    await mock.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Memory: wasm linear memory after a warm-up of mixed calls, then after 100 000 more. Linear memory
// never shrinks, so equal numbers mean the allocator reuses what it freed (no leak, no creeping growth).

step(`memory: wasm linear memory over ${MEMORY_CALLS.toLocaleString('en')} mixed calls (fresh process)`);
// Runs in a child with --expose-gc so that the second scenario can stand in for a long-lived process's
// collections. Scenario "api": the calls as documented (keys parsed once and kept, text keys through
// the package's own paths, errors included); nothing waits on the garbage collector there. Scenario
// "handles": PrivateKey.parse and KeySet.from results dropped by the caller, which wasm-bindgen frees
// from a FinalizationRegistry once V8 collects them; gc() every 1 000 calls plays V8's part.
const memoryScript = `
  const sut = require(process.env.BENCH_PACKAGE);
  const glue = require(process.env.BENCH_GLUE);
  const m = JSON.parse(process.env.BENCH_MATERIAL);
  const keys = sut.KeySet.from(m.spki);
  const key = sut.PrivateKey.parse(m.pkcs8);
  const response = { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: m.soapBody };
  const badJwt = m.jwt.slice(0, -4) + 'AAAA';
  const swallow = (fn) => { try { fn(); } catch { /* expected */ } };
  const api = [
    () => sut.validateToken(m.jwt, { keys, now: m.now, audience: m.aud }),
    () => sut.parseTicketResponse(response, { keys: m.spki, now: m.now }),
    () => sut.parseTicketResponse(response, { keys, now: m.now }),
    () => sut.buildTicketRequest({ environment: 'online', applicationToken: 'a', contextIdentifier: 'Cust1', signedSystemToken: 's' }),
    () => swallow(() => sut.validateToken(badJwt, { keys, now: m.now })),
    () => swallow(() => sut.parseTicketResponse({ status: 200, body: '<x>' }, { keys, now: m.now })),
    () => swallow(() => sut.parseTicketResponse({ status: 500, body: m.soapBody }, { keys, now: m.now })),
    () => sut.validateToken(m.jwt, { keys: [m.spki], now: m.now, audience: m.aud }),
    () => sut.validateToken(m.jwt, { keys: m.spkiVariants[Math.floor(Math.random() * m.spkiVariants.length)], now: m.now, audience: m.aud }),
  ];
  const apiRare = [
    () => sut.signToken('MyApp-8k8Q7DmBgo', key, { now: m.now }),
    () => sut.signToken('MyApp-8k8Q7DmBgo', m.pkcs8, { now: m.now }),
    () => sut.signToken('MyApp-8k8Q7DmBgo', m.xml, { now: m.now }),
    () => swallow(() => sut.signToken('MyApp-8k8Q7DmBgo', '-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----')),
  ];
  const handles = [() => sut.PrivateKey.parse(m.pkcs8), () => sut.KeySet.from(m.spki)];
  async function calls(count, scenario) {
    for (let i = 0; i < count; i++) {
      if (i % 100 === 0) apiRare[(i / 100) % apiRare.length]();
      else if (scenario === 'handles' && i % 10 === 0) handles[(i / 10) % handles.length]();
      else api[i % api.length]();
      if (scenario === 'handles' && i % 1000 === 999) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 1));
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  }
  (async () => {
    const out = {};
    for (const scenario of ['api', 'handles']) {
      const atStart = glue.wasmMemoryBytes();
      await calls(10000, scenario);
      const afterWarmUp = glue.wasmMemoryBytes();
      await calls(Number(process.env.BENCH_CALLS), scenario);
      out[scenario] = { atStart, afterWarmUp, afterCalls: glue.wasmMemoryBytes() };
    }
    out.jsHeapUsed = process.memoryUsage().heapUsed;
    console.log(JSON.stringify(out));
  })();`;
let memory = { available: false, note: 'wasmMemoryBytes() is not in this build' };
if (typeof glue.wasmMemoryBytes === 'function') {
  const started = now();
  const child = spawnSync(process.execPath, ['--expose-gc', '-e', memoryScript], {
    encoding: 'utf8',
    env: {
      ...process.env,
      BENCH_PACKAGE: join(installed, 'index.cjs'),
      BENCH_GLUE: join(installed, 'superoffice_auth_wasm.js'),
      BENCH_CALLS: String(MEMORY_CALLS),
      BENCH_MATERIAL: JSON.stringify({
        aud: claims.aud,
        spki: issuerKey.spki,
        pkcs8: rsa2048.pkcs8,
        xml: rsa2048.xml,
        jwt,
        soapBody,
        now: NOW,
        // 24 distinct texts for the same key (more than the package's 16-entry cache): evictions.
        spkiVariants: Array.from({ length: 24 }, (_, i) => `${'\n'.repeat(i)}${issuerKey.spki}`),
      }),
    },
  });
  if (child.status !== 0) throw new Error(`memory run failed: ${child.stderr}`);
  const out = JSON.parse(child.stdout.trim().split('\n').pop());
  memory = {
    available: true,
    calls: MEMORY_CALLS,
    seconds: Number(now() - started) / 1e9,
    api: { ...out.api, flat: out.api.afterCalls === out.api.afterWarmUp },
    handles: { ...out.handles, flat: out.handles.afterCalls === out.handles.afterWarmUp },
  };
  memory.flat = memory.api.flat && memory.handles.flat;
  for (const scenario of ['api', 'handles']) {
    const row = memory[scenario];
    console.log(
      `  ${scenario.padEnd(8)} start ${kb(row.atStart)}, after 10 000 warm-up calls ${kb(row.afterWarmUp)}, ` +
        `after ${MEMORY_CALLS.toLocaleString('en')} more ${kb(row.afterCalls)} -> ${row.flat ? 'flat' : 'GREW'}`,
    );
  }
} else {
  console.log(`  ${memory.note}`);
}

// ---------------------------------------------------------------------------------------------------
// Ratios and targets.

const r = (group, ours, theirs) => results[group][ours].medianUs / results[group][theirs].medianUs;
const ratios = [
  {
    what: 'sign 2048: signToken(PrivateKey) / node:crypto.sign(KeyObject)',
    value: r('sign RSA 2048', 'signToken, PrivateKey', 'node:crypto.sign, KeyObject'),
    target: 50,
  },
  ...(signWithoutIfma.available
    ? [
        {
          what: 'sign 2048: signToken(PrivateKey) / node:crypto.sign, generic code',
          value: results['sign RSA 2048']['signToken, PrivateKey'].medianUs / signWithoutIfma.medianUs,
        },
      ]
    : []),
  {
    what: 'sign 2048: signToken(PEM text) / node:crypto.sign(PEM text)',
    value: r('sign RSA 2048', 'signToken, PEM text', 'node:crypto.sign, PEM text'),
  },
  {
    what: 'sign 4096: signToken(PrivateKey) / node:crypto.sign(KeyObject)',
    value: r('sign RSA 4096', 'signToken, PrivateKey', 'node:crypto.sign, KeyObject'),
  },
  {
    what: 'sign 4096: signToken(PEM text) / node:crypto.sign(PEM text)',
    value: r('sign RSA 4096', 'signToken, PEM text', 'node:crypto.sign, PEM text'),
  },
  {
    what: 'parseTicketResponse(PEM text) / sample (xml2js + jsonwebtoken)',
    value: r(
      'parseTicketResponse (SOAP, RSA 2048)',
      'parseTicketResponse, keys PEM text',
      'sample: xml2js + jsonwebtoken.verify(PEM)',
    ),
    target: 2.0,
  },
  {
    what: 'parseTicketResponse(KeySet) / fast-xml-parser + jose',
    value: r(
      'parseTicketResponse (SOAP, RSA 2048)',
      'parseTicketResponse, KeySet',
      'fast-xml-parser + jose.jwtVerify(KeyObject)',
    ),
  },
  {
    what: 'validateToken / node:crypto.verify(KeyObject)',
    value: r('JWT validation (RS256, 2048)', 'validateToken, KeySet', 'node:crypto.verify, KeyObject (signature only)'),
    target: 20,
  },
  {
    what: 'validateToken / jose.jwtVerify(KeyObject)',
    value: r('JWT validation (RS256, 2048)', 'validateToken, KeySet', 'jose.jwtVerify, KeyObject'),
  },
  {
    what: 'cold start: import + first call / jose',
    value: coldStart['superoffice-auth'].importAndCallMs / coldStart.jose.importAndCallMs,
    target: 1.0,
  },
];
const checks = [
  ...ratios
    .filter((row) => row.target !== undefined)
    .map((row) => ({
      what: row.what,
      ok: row.value <= row.target,
      detail: `${row.value.toFixed(2)}x (target <= ${row.target}x)`,
    })),
  { what: '.wasm gzipped <= 200 KB', ok: sizes.wasmGzipBytes <= 200_000, detail: kB(sizes.wasmGzipBytes) },
  {
    what: 'wasm memory flat after warm-up',
    ok: memory.available ? memory.flat : null,
    detail: memory.available
      ? ['api', 'handles'].map((s) => `${s} ${kb(memory[s].afterWarmUp)} -> ${kb(memory[s].afterCalls)}`).join(', ')
      : memory.note,
  },
  {
    what: 'client: cached getTicket measured',
    ok: client.available ? true : null,
    detail: client.available ? `${Math.round(client.callsPerSecond).toLocaleString('en')} calls/s` : client.note,
  },
  {
    what: 'tickets used through client.fetch: about one exchange per tenant per day',
    ok: exchangesPerDay.available ? exchangesPerDay.clientFetch <= 1.1 && exchangesPerDay.failedCalls === 0 : null,
    detail: exchangesPerDay.available
      ? `${exchangesPerDay.clientFetch.toFixed(2)} through client.fetch, ${exchangesPerDay.handedOut.toFixed(2)} handed out`
      : exchangesPerDay.note,
  },
  {
    what: 'fleet: one exchange per tenant with the shared Redis cache',
    ok: fleet.available ? fleet.sharedRedis.exchangesPerTenant === 1 : null,
    detail: fleet.available
      ? `${fleet.processes} processes: ${fleet.memoryOnly.exchangesPerTenant.toFixed(2)} per tenant in-memory, ${fleet.sharedRedis.exchangesPerTenant.toFixed(2)} shared`
      : fleet.note,
  },
];

step('ratios (ours / theirs, same run)');
for (const row of ratios) {
  const target =
    row.target === undefined ? '' : `  target <= ${row.target}x ${row.value <= row.target ? 'MET' : 'NOT MET'}`;
  console.log(`  ${row.what.padEnd(66)} ${row.value.toFixed(2).padStart(7)}x${target}`);
}
step('targets');
for (const check of checks) {
  const mark = check.ok === null ? 'n/a ' : check.ok ? 'MET ' : 'MISS';
  console.log(`  [${mark}] ${check.what}: ${check.detail}`);
}

const commit = capture('git', ['rev-parse', '--short', 'HEAD'])?.trim();
const dirty = (capture('git', ['status', '--porcelain']) ?? '').trim() !== '';
const report = {
  date: new Date().toISOString(),
  commit: commit ? `${commit}${dirty ? '+dirty' : ''}` : null,
  label: label ?? null,
  quick: QUICK,
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    node: process.version,
    v8: process.versions.v8,
    openssl: process.versions.openssl,
    // Whether node:crypto signs with OpenSSL's AVX-512 IFMA code (see signWithoutIfma).
    avx512ifma: ifma,
    peers: Object.fromEntries(
      PEERS.map((name) => [
        name,
        JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version,
      ]),
    ),
  },
  settings: { rounds: ROUNDS, batchMs: BATCH_MS, coldRuns: COLD_RUNS },
  results,
  coldStart,
  signWithoutIfma,
  sizes,
  runtimes,
  client,
  fleet,
  exchangesPerDay,
  memory,
  ratios,
  checks,
};
const outDir = join(root, 'bench-results');
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, 'bench.json');
writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
if (label) writeFileSync(join(outDir, `bench-${label}.json`), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${outFile}${label ? ` and bench-${label}.json` : ''}`);
