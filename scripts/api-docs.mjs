// The API reference, generated from the declarations the package ships (pkg-template/index.d.ts,
// testing.d.ts, redis.d.ts) with TypeDoc and typedoc-plugin-markdown into docs/api/, and the checks that
// keep the documentation honest.
//
// Usage: node scripts/api-docs.mjs           regenerate docs/api/
//        node scripts/api-docs.mjs --check   (run by npm test) fail when an export, an option or an
//                                            error code has no doc comment, when docs/api/ is stale, or
//                                            when a relative link in README.md or docs/**/*.md is broken
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { root } from './lib.mjs';

const API_DIR = join(root, 'docs', 'api');
const ENTRY_POINTS = ['index.d.ts', 'testing.d.ts', 'redis.d.ts'].map((file) => join(root, 'pkg-template', file));
/** Markdown files whose relative links must resolve: the README, the project files and docs/. */
const LINKED_FILES = () => [
  ...['README.md', 'CHANGELOG.md', 'SECURITY.md', 'CONTRIBUTING.md', 'examples/README.md']
    .map((file) => join(root, file))
    .filter((file) => existsSync(file)),
  ...listMarkdown(join(root, 'docs')),
];

/** Runs TypeDoc over the declarations; returns its problems and the JSON model of the project. */
export async function generate(outDir) {
  // Imported here so the link check can run without TypeDoc installed.
  const { Application, LogLevel } = await import(
    pathToFileURL(join(root, 'node_modules', 'typedoc', 'dist', 'index.js')).href
  );
  const problems = [];
  const app = await Application.bootstrapWithPlugins({
    entryPoints: ENTRY_POINTS,
    plugin: ['typedoc-plugin-markdown'],
    out: outDir,
    name: 'superoffice-auth',
    readme: 'none',
    // The .d.ts files are the package's public surface as shipped; no tsconfig in the repository.
    compilerOptions: {
      strict: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      types: [],
      skipLibCheck: false,
    },
    skipErrorChecking: false,
    disableSources: true,
    hideGenerator: true,
    excludePrivate: true,
    // Undocumented functions, classes, methods, types and constants are validation warnings.
    validation: { notExported: true, invalidLink: true, notDocumented: true },
    requiredToBeDocumented: [
      'Function',
      'Class',
      'Interface',
      'TypeAlias',
      'Variable',
      'Method',
      'Accessor',
      'Enum',
      'EnumMember',
    ],
    // Markdown output that reads well on GitHub and npm: one file per module, members on their page.
    outputFileStrategy: 'modules',
    entryFileName: 'README.md',
    parametersFormat: 'table',
    interfacePropertiesFormat: 'table',
    typeDeclarationFormat: 'table',
    classPropertiesFormat: 'table',
    logLevel: 'Warn',
  });
  app.logger.log = (message, level) => {
    if (level >= LogLevel.Warn) problems.push(`typedoc: ${stripVTControlCharacters(String(message))}`);
  };
  const project = await app.convert();
  if (!project) return { problems: [...problems, 'typedoc: the declarations did not convert'], model: null };
  app.validate(project);
  await app.generateOutputs(project);
  const model = app.serializer.projectToObject(project, root);
  addErrorCodeTable(outDir, model);
  return { problems, model };
}

/**
 * typedoc-plugin-markdown prints a union on one line and drops its members' comments; the error codes
 * are the one union whose members matter one by one, so their table is added under `### ErrorCode`.
 */
function addErrorCodeTable(outDir, model) {
  const codes = errorCodeSummaries(model);
  if (!codes) return;
  const escapeCell = (text) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const table = [
    '| code | meaning |',
    '|---|---|',
    ...codes.map(({ code, summary }) => `| \`${code}\` | ${escapeCell(summary)} |`),
  ].join('\n');
  for (const name of readdirSync(outDir, { recursive: true })
    .map(String)
    .filter((n) => n.endsWith('.md'))) {
    const file = join(outDir, name);
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('\n### ErrorCode\n');
    if (at < 0) continue;
    const end = text.indexOf('\n***', at + 1);
    const cut = end < 0 ? text.length : end;
    writeFileSync(file, `${text.slice(0, cut).trimEnd()}\n\n${table}\n${text.slice(cut)}`);
  }
}

/** The ErrorCode union's members with their comments, or null when it is not a union of literals. */
function errorCodeSummaries(model) {
  const index = (model.children ?? []).find((module) => module.children?.some((child) => child.name === 'ErrorCode'));
  const errorCode = index?.children.find((child) => child.name === 'ErrorCode');
  if (errorCode?.type?.type !== 'union') return null;
  const summaries = errorCode.type.elementSummaries ?? [];
  return errorCode.type.types.map((literal, i) => ({
    code: literal.value,
    summary: (summaries[i] ?? [])
      .map((part) => part.text)
      .join('')
      .trim(),
  }));
}

// ---- the checks TypeDoc does not do: every option and every error code carries a doc comment ----

const hasComment = (node) =>
  Boolean(node?.comment?.summary?.some((part) => part.text.trim() !== '')) ||
  Boolean(node?.signatures?.some((signature) => hasComment(signature)));

/** Object-literal members reachable from a type: through intersections, unions and inline object types. */
function objectMembers(type) {
  if (!type) return [];
  if (type.type === 'reflection') return type.declaration?.children ?? [];
  if (type.type === 'intersection' || type.type === 'union') return type.types.flatMap(objectMembers);
  return [];
}

/** Options are the members of every exported *Options/*Params type: each one needs its own comment. */
export function undocumentedOptions(model) {
  const missing = [];
  for (const module of model.children ?? []) {
    for (const declaration of module.children ?? []) {
      if (!/(Options|Params)$/.test(declaration.name)) continue;
      const members = declaration.children ?? objectMembers(declaration.type);
      const seen = new Set();
      for (const member of members) {
        if (seen.has(member.name)) continue;
        // A member repeated across union branches counts as documented when any branch documents it.
        const documented = members.filter((m) => m.name === member.name).some(hasComment);
        seen.add(member.name);
        if (!documented) missing.push(`${module.name}: option ${declaration.name}.${member.name} has no doc comment`);
      }
    }
  }
  return missing;
}

/** Every member of the ErrorCode union carries a comment (rendered beside the code in the reference). */
export function undocumentedErrorCodes(model) {
  const codes = errorCodeSummaries(model);
  if (!codes) return ['ErrorCode: not found as a union of string literals'];
  return codes
    .filter(({ summary }) => summary === '')
    .map(({ code }) => `error code ${code} has no doc comment in index.d.ts`);
}

// ---- links ----

function listMarkdown(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(dir, name));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchorsOf(markdown) {
  const anchors = new Set();
  const counts = new Map();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = heading[1]
        .replace(/<[^>]+>/g, '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-');
      const n = counts.get(base) ?? 0;
      counts.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const match of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]);
  }
  return anchors;
}

/** Relative links (and their #anchors) that point at nothing, as `file: target` strings. */
export function brokenLinks(files = LINKED_FILES()) {
  const broken = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
      .replace(/```[\s\S]*?```/g, '')
      .replace(/`[^`\n]*`/g, '');
    const targets = [
      ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
      ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]),
    ];
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...: not ours to check offline
      const [pathPart, anchor] = target.split('#');
      const resolved = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
      const where = `${relative(root, file)}: ${target}`;
      if (!existsSync(resolved)) {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (anchor && statSync(resolved).isFile() && resolved.endsWith('.md')) {
        if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${where} (no such heading)`);
      }
    }
  }
  return broken;
}

// ---- comparing the generated reference with the committed one ----

function readTree(dir) {
  const files = new Map();
  for (const name of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const path = join(dir, name);
    if (statSync(path).isFile()) files.set(name, readFileSync(path, 'utf8'));
  }
  return files;
}

function staleFiles(generatedDir) {
  if (!existsSync(API_DIR)) return ['docs/api/ is missing'];
  const want = readTree(generatedDir);
  const have = readTree(API_DIR);
  const names = new Set([...want.keys(), ...have.keys()]);
  return [...names]
    .filter((name) => want.get(name) !== have.get(name))
    .map((name) => `docs/api/${name} differs from the declarations`);
}

async function main() {
  const check = process.argv.includes('--check');
  const outDir = check ? mkdtempSync(join(tmpdir(), 'superoffice-auth-api-')) : API_DIR;
  if (!check) rmSync(API_DIR, { recursive: true, force: true });
  try {
    const { problems, model } = await generate(outDir);
    if (model) problems.push(...undocumentedOptions(model), ...undocumentedErrorCodes(model));
    if (check) {
      const stale = staleFiles(outDir);
      if (stale.length > 0) problems.push(...stale, '(run `node scripts/api-docs.mjs` and commit docs/api/)');
    }
    problems.push(...brokenLinks());
    if (problems.length > 0) {
      console.error(problems.map((p) => `  ${p}`).join('\n'));
      console.error(`api-docs: ${problems.length} problem(s)`);
      process.exitCode = 1;
      return;
    }
    console.log(
      check
        ? 'api-docs: every export, option and error code documented; docs/api/ current; links resolve'
        : `api-docs: wrote ${relative(root, API_DIR)}/`,
    );
  } finally {
    if (check) rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
