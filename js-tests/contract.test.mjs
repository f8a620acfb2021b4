// The contract between the Rust core and index.d.ts: the error codes and the detail fields an error
// carries are stated once, in the core's error table (src/error.rs), and handed to JavaScript by the
// binding's `contract()`. index.d.ts is read here with the TypeScript compiler's own parser (not by
// searching its text), and its ErrorCode union and error fields must equal the core's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ERROR_CODES, SuperOfficeAuthError } from 'superoffice-auth';

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('superoffice-auth/package.json'));
// The wasm glue itself, as installed: the core's own statement of the contract.
const core = require(join(packageDir, 'superoffice_auth_wasm.js'));
const contract = JSON.parse(core.contract());

// typescript is a devDependency of the workspace, not of the scratch project the tests run in.
const repo = process.env.SUPEROFFICE_AUTH_REPO;
const ts = createRequire(join(repo ?? process.cwd(), 'package.json'))('typescript');

const dtsPath = join(packageDir, 'index.d.ts');
const source = ts.createSourceFile(dtsPath, readFileSync(dtsPath, 'utf8'), ts.ScriptTarget.Latest, true);

/** The top-level declaration named `name` of the given kind. */
function declaration(name, kind) {
  const found = source.statements.find((node) => node.kind === kind && node.name?.text === name);
  assert.ok(found, `index.d.ts declares ${name}`);
  return found;
}

// Fields a SuperOfficeAuthError may carry that the JS clients set on errors of the core's codes, never
// the core itself: `cause` (what `fetch` threw, ERR_FETCH_FAILED), `retried` (client.fetch,
// ERR_TICKET_REJECTED) and `retryAfterMs` (a 429 or 503 with Retry-After, ERR_HTTP_STATUS).
const RAISED_BY_JS = ['cause', 'retried', 'retryAfterMs'];

test('the ErrorCode union in index.d.ts is the core table, member for member and in order', () => {
  const alias = declaration('ErrorCode', ts.SyntaxKind.TypeAliasDeclaration);
  assert.ok(ts.isUnionTypeNode(alias.type), 'ErrorCode is a union');
  const declared = alias.type.types.map((member) => {
    assert.ok(ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal), 'each member is a string literal');
    return member.literal.text;
  });
  assert.deepEqual(declared, contract.codes);
  // ...and the package exports the same list.
  assert.deepEqual([...ERROR_CODES], contract.codes);
  assert.ok(contract.codes.length > 10);
});

test('the error fields declared in index.d.ts are the detail fields of the core table', () => {
  const core = [...contract.detailFields].sort();
  assert.equal(new Set(core).size, core.length, 'each detail field once');

  const errorClass = declaration('SuperOfficeAuthError', ts.SyntaxKind.ClassDeclaration);
  const classFields = errorClass.members
    .filter((member) => ts.isPropertyDeclaration(member))
    .map((member) => member.name.text)
    .filter((name) => name !== 'name' && name !== 'code' && !RAISED_BY_JS.includes(name));
  assert.deepEqual([...classFields].sort(), core);

  const details = declaration('SuperOfficeAuthErrorDetails', ts.SyntaxKind.InterfaceDeclaration);
  const detailFields = details.members
    .filter((member) => ts.isPropertySignature(member))
    .map((member) => member.name.text)
    .filter((name) => !RAISED_BY_JS.includes(name));
  assert.deepEqual([...detailFields].sort(), core);
});

test('a core error reaches JavaScript with the detail fields the table names for it', () => {
  // ERR_RESPONSE_TOO_LARGE carries `limit`, read from the core's own size cap.
  const { parseAgentResponse } = require('superoffice-auth');
  const body = ' '.repeat(contract.sizes.responseBytes + 1);
  assert.throws(
    () => parseAgentResponse({ status: 200, headers: {}, body }, { method: 'GetAssociate' }),
    (error) =>
      error instanceof SuperOfficeAuthError &&
      error.code === 'ERR_RESPONSE_TOO_LARGE' &&
      error.limit === contract.sizes.responseBytes,
  );
});

test('the numeric options: each default inside its range, the leeway the core enforces', () => {
  const names = Object.keys(contract.options);
  for (const name of ['leewaySeconds', 'timeoutMs', 'jwksCooldownMs', 'jwksMaxAgeMs', 'ticketTtlSeconds']) {
    assert.ok(names.includes(name), name);
  }
  for (const [name, { default: value, min, max }] of Object.entries(contract.options)) {
    assert.ok(min <= value && value <= max, `${name}: ${min} <= ${value} <= ${max}`);
  }
  assert.equal(contract.options.ticketTtlSeconds.max, contract.ticketLifetimeSeconds);
});
