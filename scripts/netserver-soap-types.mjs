// The SOAP list table: which NetServer result types are lists or dictionaries, drawn from SuperOffice's
// published Services88 WSDLs into src/netserver/soap_types.rs (facts only: type names, member names and
// shapes; no text of the WSDLs).
//
// Why: over SOAP a list is a run of repeated elements, so a list holding one item looks exactly like a
// single object, and only the WSDL knows which it is. REST (the default transport) has no such problem.
//
// Usage: node scripts/netserver-soap-types.mjs [--method Agent.Method ...] FILE...
//   FILE  a Services88 WSDL: `{netserver_url}{Agent}.svc?wsdl` from any tenant, or the page SuperOffice
//         publishes it on (SuperOfficeDocs/superoffice-docs,
//         docs/en/api/reference/soap/Services88/Services88-{Agent}.md; the ```xml block is read).
//   --method  an agent method to cover, besides the ones in METHODS below (the stand-in's and the
//             README's). Types are taken from the WSDL of the method's agent.
// Every type a covered result reaches must be declared in the given files: a missing one is an error,
// so an incomplete input never yields an incomplete table.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { root } from './lib.mjs';

/** The methods the table covers: what the stand-in serves and what the README shows. */
const METHODS = ['Associate.GetAssociate', 'Associate.GetAssociateList', 'Contact.GetContactEntity'];
const XS = 'http://www.w3.org/2001/XMLSchema';
const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
const ARRAYS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';
const SERIALIZATION = 'http://schemas.microsoft.com/2003/10/Serialization/';
const NETSERVER = /^http:\/\/www\.superoffice\.net\/ws\/crm\/NetServer\/Services(8[4-8])$/;
const OUT = join(root, 'src', 'netserver', 'soap_types.rs');

function fail(message) {
  console.error(`netserver-soap-types: ${message}`);
  process.exit(1);
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: true,
});

/** Elements as { ns, local, attrs, children, text } with namespaces resolved. */
function tree(xml) {
  const walk = (node, scope) => {
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (tag === '#text' || tag === undefined) return null;
    const attrs = node[':@'] ?? {};
    const own = { ...scope };
    for (const [name, value] of Object.entries(attrs)) {
      if (name === 'xmlns') own[''] = value;
      else if (name.startsWith('xmlns:')) own[name.slice(6)] = value;
    }
    const [prefix, local] = tag.includes(':') ? tag.split(':') : ['', tag];
    if (!(prefix in own) && prefix !== '') fail(`undeclared prefix ${prefix}`);
    const kids = node[tag];
    const text = kids
      .filter((k) => '#text' in k)
      .map((k) => String(k['#text']))
      .join('');
    return {
      ns: own[prefix] ?? '',
      local,
      attrs,
      scope: own,
      text,
      children: kids.map((k) => walk(k, own)).filter(Boolean),
    };
  };
  const roots = parser
    .parse(xml)
    .map((n) => walk(n, {}))
    .filter((n) => n && n.local !== '?xml');
  return roots[0];
}

/** A QName attribute value as { ns, local }. */
function qname(el, value) {
  const [prefix, local] = value.includes(':') ? value.split(':') : ['', value];
  if (!(prefix in el.scope)) fail(`undeclared prefix in ${value}`);
  return { ns: el.scope[prefix], local };
}

const kids = (el, ns, local) => el.children.filter((c) => c.ns === ns && c.local === local);
const only = (el, ns, local) => kids(el, ns, local)[0];
const descendants = function* (el) {
  for (const c of el.children) {
    yield c;
    yield* descendants(c);
  }
};

/** One WSDL: its agent, its NetServer version and its schema declarations. */
function readWsdl(file) {
  let text = readFileSync(file, 'utf8');
  const fenced = /```xml\s*\n([\s\S]*?)```/.exec(text);
  if (fenced) text = fenced[1];
  const definitions = tree(text);
  if (!definitions || definitions.ns !== WSDL || definitions.local !== 'definitions') fail(`${file}: not a WSDL`);
  const service = /^Wcf(\w+)Service$/.exec(definitions.attrs.name ?? '');
  if (!service) fail(`${file}: the definitions are not named Wcf{Agent}Service`);
  const version = NETSERVER.exec(definitions.attrs.targetNamespace ?? '');
  if (!version) fail(`${file}: the target namespace is not NetServer's Services84 to Services88`);
  const schemas = [...descendants(definitions)].filter(
    (e) => e.ns === XS && e.local === 'schema' && e.attrs.targetNamespace === definitions.attrs.targetNamespace,
  );
  const complexTypes = new Map();
  const elements = new Map();
  const simpleTypes = new Set();
  for (const schema of schemas) {
    for (const c of schema.children) {
      if (c.ns !== XS) continue;
      if (c.local === 'complexType') complexTypes.set(c.attrs.name, c);
      if (c.local === 'simpleType') simpleTypes.add(c.attrs.name);
      if (c.local === 'element') elements.set(c.attrs.name, c);
    }
  }
  return {
    file: basename(file),
    agent: service[1],
    ns: definitions.attrs.targetNamespace,
    complexTypes,
    elements,
    simpleTypes,
  };
}

/** The sequence's elements of a complexType (its extension's, for a derived one) and its base. */
function sequenceOf(type) {
  const content = only(type, XS, 'complexContent');
  const extension = content && only(content, XS, 'extension');
  const holder = extension ?? type;
  const sequence = only(holder, XS, 'sequence');
  return {
    base: extension ? qname(extension, extension.attrs.base) : null,
    members: sequence ? kids(sequence, XS, 'element') : [],
  };
}

function isDictionary(type) {
  return [...descendants(type)].some(
    (e) => e.ns === SERIALIZATION && e.local === 'IsDictionary' && e.text.trim() === 'true',
  );
}

/**
 * The facts for the covered methods: whether each result is a list, and the names of the elements
 * that are lists wherever they occur in what those results reach (members of entities and items of
 * lists). A name that is a list in one place and not in another cannot be decided by name: an error.
 */
function collect(wsdls, methods) {
  const results = [];
  const occurrences = new Map(); // element name -> Set of booleans (is a list there)
  const seen = new Set();
  for (const name of methods) {
    const [agent, method] = name.split('.');
    const wsdl = wsdls.find((w) => w.agent === agent);
    if (!wsdl) fail(`no WSDL for agent ${agent} (needed by ${name})`);
    const response = wsdl.elements.get(`${method}Response`);
    if (!response) fail(`${wsdl.file}: no element ${method}Response`);
    const inner = only(response, XS, 'complexType');
    const result = inner && sequenceOf(inner).members.find((m) => m.attrs.name === 'Response');
    const type = result ? typeName(wsdl, result) : '';
    results.push([agent, method, isList(wsdl, type)]);
    visit(wsdl, type);
  }

  // The name the table uses for an element's type: '' for anything simple (xs:*, enumerations).
  function typeName(wsdl, el) {
    if (!el.attrs.type) fail(`${wsdl.file}: element ${el.attrs.name} has an anonymous type`);
    const { ns, local } = qname(el, el.attrs.type);
    if (ns === XS) return '';
    if (ns === ARRAYS) {
      if (!/^ArrayOf[a-z]\w*$/.test(local)) fail(`${wsdl.file}: unexpected Arrays type ${local}`);
      return local;
    }
    if (ns !== wsdl.ns) fail(`${wsdl.file}: type ${el.attrs.type} of another namespace`);
    if (wsdl.simpleTypes.has(local)) return '';
    if (!wsdl.complexTypes.has(local)) fail(`${wsdl.file}: type ${local} is not declared (is the WSDL complete?)`);
    return local;
  }

  // A list: Serialization/Arrays' ArrayOfint, ArrayOfstring, ...; a dictionary (IsDictionary: a run of
  // Key/Value pairs); or a type whose only member repeats (maxOccurs unbounded), with no base.
  function isList(wsdl, type) {
    if (type === '') return false;
    if (/^ArrayOf[a-z]/.test(type)) return true;
    const declaration = wsdl.complexTypes.get(type);
    if (isDictionary(declaration)) return true;
    const { base, members } = sequenceOf(declaration);
    return !base && members.length === 1 && members[0].attrs.maxOccurs === 'unbounded';
  }

  function record(name, list) {
    if (!occurrences.has(name)) occurrences.set(name, new Set());
    occurrences.get(name).add(list);
  }

  function visit(wsdl, type) {
    if (type === '' || /^ArrayOf[a-z]/.test(type) || seen.has(`${wsdl.agent}:${type}`)) return;
    seen.add(`${wsdl.agent}:${type}`);
    const declaration = wsdl.complexTypes.get(type);
    if (isDictionary(declaration)) return; // its pairs (Key, Value) are read as they are
    const { base, members } = sequenceOf(declaration);
    if (isList(wsdl, type)) {
      const of = typeName(wsdl, members[0]);
      record(members[0].attrs.name, isList(wsdl, of));
      visit(wsdl, of);
      return;
    }
    const all = [...members];
    for (let b = base; b; ) {
      if (b.ns !== wsdl.ns || !wsdl.complexTypes.has(b.local))
        fail(`${wsdl.file}: base type ${b.local} of ${type} is not declared`);
      const next = sequenceOf(wsdl.complexTypes.get(b.local));
      all.unshift(...next.members);
      b = next.base;
    }
    for (const member of all) {
      if (member.attrs.maxOccurs === 'unbounded')
        fail(`${wsdl.file}: ${type}.${member.attrs.name} repeats inside an entity (not a shape this table knows)`);
      const of = typeName(wsdl, member);
      record(member.attrs.name, isList(wsdl, of));
      visit(wsdl, of);
    }
  }

  const lists = [];
  for (const [name, kinds] of occurrences) {
    if (kinds.size > 1) fail(`${name} is a list in one place and not in another: the table cannot decide it by name`);
    if (kinds.has(true)) lists.push(name);
  }
  return { results, lists: lists.sort() };
}

function rust({ results, lists }, sources) {
  const str = (s) => JSON.stringify(s);
  return [
    "//! Generated by `node scripts/netserver-soap-types.mjs` from SuperOffice's published WSDLs:",
    `//! ${sources.join(', ')}. Do not edit: regenerate.`,
    '//!',
    '//! Facts only: for each covered method whether its `Response` is a list, and the names of the',
    '//! elements that are lists (a dictionary is a list of Key/Value pairs) wherever they occur in what',
    '//! those results reach. Both tables are sorted.',
    '',
    '/// (agent, method, whether `Response` is a list).',
    'pub(super) static METHODS: &[(&str, &str, bool)] = &[',
    ...results
      .slice()
      .sort((a, b) => (`${a[0]}.${a[1]}` < `${b[0]}.${b[1]}` ? -1 : 1))
      .map(([agent, method, list]) => `    (${str(agent)}, ${str(method)}, ${list}),`),
    '];',
    '',
    '/// Elements that are lists in the covered results.',
    `pub(super) static LISTS: &[&str] = &[${lists.map(str).join(', ')}];`,
    '',
  ].join('\n');
}

const args = process.argv.slice(2);
const methods = [...METHODS];
const files = [];
let wantMethod = false;
for (const arg of args) {
  if (wantMethod) {
    if (!/^\w+\.\w+$/.test(arg)) fail('--method needs Agent.Method');
    if (!methods.includes(arg)) methods.push(arg);
    wantMethod = false;
  } else if (arg === '--method') wantMethod = true;
  else files.push(arg);
}
if (wantMethod) fail('--method needs Agent.Method');
if (files.length === 0) fail('give the Services88 WSDL files (see the comment at the top of this script)');
const wsdls = files.map(readWsdl);
writeFileSync(
  OUT,
  rust(
    collect(wsdls, methods),
    wsdls.map((w) => `${w.agent} ${w.ns.slice(-10)}`),
  ),
);
execFileSync('rustfmt', ['--edition', '2021', OUT], { stdio: 'inherit' });
console.log(`wrote ${OUT}`);
