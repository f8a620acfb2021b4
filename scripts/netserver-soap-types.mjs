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

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', trimValues: true });

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
    const text = kids.filter((k) => '#text' in k).map((k) => String(k['#text'])).join('');
    return {
      ns: own[prefix] ?? '',
      local,
      attrs,
      scope: own,
      text,
      children: kids.map((k) => walk(k, own)).filter(Boolean),
    };
  };
  const roots = parser.parse(xml).map((n) => walk(n, {})).filter((n) => n && n.local !== '?xml');
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
  const schemas = [...descendants(definitions)].filter((e) => e.ns === XS && e.local === 'schema' && e.attrs.targetNamespace === definitions.attrs.targetNamespace);
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
  return { file: basename(file), agent: service[1], ns: definitions.attrs.targetNamespace, complexTypes, elements, simpleTypes };
}

/** The sequence's elements of a complexType (its extension's, for a derived one) and its base. */
function sequenceOf(type) {
  const content = only(type, XS, 'complexContent');
  const extension = content && only(content, XS, 'extension');
  const holder = extension ?? type;
  const sequence = only(holder, XS, 'sequence');
  return { base: extension ? qname(extension, extension.attrs.base) : null, members: sequence ? kids(sequence, XS, 'element') : [] };
}

function isDictionary(type) {
  return [...descendants(type)].some((e) => e.ns === SERIALIZATION && e.local === 'IsDictionary' && e.text.trim() === 'true');
}

/** Builds the shapes reachable from the covered methods. */
function collect(wsdls, methods) {
  const shapes = new Map(); // type name -> { kind, item | value | members }
  const results = [];
  for (const name of methods) {
    const [agent, method] = name.split('.');
    const wsdl = wsdls.find((w) => w.agent === agent);
    if (!wsdl) fail(`no WSDL for agent ${agent} (needed by ${name})`);
    const response = wsdl.elements.get(`${method}Response`);
    if (!response) fail(`${wsdl.file}: no element ${method}Response`);
    const inner = only(response, XS, 'complexType');
    const result = inner && sequenceOf(inner).members.find((m) => m.attrs.name === 'Response');
    const type = result ? typeName(wsdl, result) : '';
    results.push([agent, method, type]);
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

  function visit(wsdl, type) {
    if (type === '' || shapes.has(type)) return;
    if (/^ArrayOf[a-z]/.test(type)) {
      // Serialization/Arrays: ArrayOfint, ArrayOfstring, ... lists of a simple type.
      shapes.set(type, { kind: 'List', of: '' });
      return;
    }
    const declaration = wsdl.complexTypes.get(type);
    if (isDictionary(declaration)) {
      const { members } = sequenceOf(declaration);
      const pair = members.length === 1 ? only(members[0], XS, 'complexType') : null;
      const value = pair && sequenceOf(pair).members.find((m) => m.attrs.name === 'Value');
      if (!value) fail(`${wsdl.file}: dictionary ${type} has no Key/Value pair`);
      const of = typeName(wsdl, value);
      shapes.set(type, { kind: 'Dictionary', of });
      visit(wsdl, of);
      return;
    }
    const { base, members } = sequenceOf(declaration);
    if (!base && members.length === 1 && members[0].attrs.maxOccurs === 'unbounded') {
      const of = typeName(wsdl, members[0]);
      shapes.set(type, { kind: 'List', of });
      visit(wsdl, of);
      return;
    }
    const shape = { kind: 'Members', members: [] };
    shapes.set(type, shape);
    const all = [];
    let current = { base, members };
    for (;;) {
      all.unshift(...current.members);
      if (!current.base) break;
      if (current.base.ns !== wsdl.ns || !wsdl.complexTypes.has(current.base.local)) fail(`${wsdl.file}: base type ${current.base.local} of ${type} is not declared`);
      current = sequenceOf(wsdl.complexTypes.get(current.base.local));
    }
    for (const member of all) {
      if (member.attrs.maxOccurs === 'unbounded') fail(`${wsdl.file}: ${type}.${member.attrs.name} repeats inside an entity (not a shape this table knows)`);
      const of = typeName(wsdl, member);
      if (of === '') continue;
      shape.members.push([member.attrs.name, of]);
      visit(wsdl, of);
    }
    shape.members.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  // An entity none of whose members is a list or a dictionary, at any depth, reads the same with or
  // without the table: leave it (and members of its type) out.
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, shape] of shapes) {
      if (shape.kind !== 'Members') continue;
      const kept = shape.members.filter(([, of]) => shapes.has(of));
      if (kept.length !== shape.members.length) changed = true;
      shape.members = kept;
      if (kept.length === 0) {
        shapes.delete(name);
        changed = true;
      }
    }
  }
  for (const result of results) if (!shapes.has(result[2])) result[2] = '';
  for (const shape of shapes.values()) if (shape.kind !== 'Members' && !shapes.has(shape.of)) shape.of = '';
  return { shapes, results };
}

function rust({ shapes, results }, sources) {
  const str = (s) => JSON.stringify(s);
  const lines = [
    '//! Generated by `node scripts/netserver-soap-types.mjs` from SuperOffice\'s published WSDLs',
    `//! (${sources.join(', ')}). Do not edit: regenerate. Facts only: for each covered method the type`,
    '//! of its `Response`, and for each type it reaches that holds a list or a dictionary at some depth,',
    '//! its shape: a list (of what), a dictionary (of what) or an entity (which members lead to one).',
    '//! `""` is any other type, read as before. Both tables are sorted, for binary search.',
    '',
    'use super::lists::Shape;',
    '',
    '/// (agent, method, type of `Response`).',
    'pub(super) static METHODS: &[(&str, &str, &str)] = &[',
    ...results
      .slice()
      .sort((a, b) => (`${a[0]}.${a[1]}` < `${b[0]}.${b[1]}` ? -1 : 1))
      .map(([agent, method, type]) => `    (${str(agent)}, ${str(method)}, ${str(type)}),`),
    '];',
    '',
    '/// (type, shape).',
    'pub(super) static TYPES: &[(&str, Shape)] = &[',
  ];
  for (const name of [...shapes.keys()].sort()) {
    const shape = shapes.get(name);
    if (shape.kind === 'Members') {
      lines.push(`    (`, `        ${str(name)},`, '        Shape::Members(&[');
      for (const [member, of] of shape.members) lines.push(`            (${str(member)}, ${str(of)}),`);
      lines.push('        ]),', '    ),');
    } else {
      lines.push(`    (${str(name)}, Shape::${shape.kind}(${str(shape.of)})),`);
    }
  }
  lines.push('];', '');
  return lines.join('\n');
}

const args = process.argv.slice(2);
const methods = [...METHODS];
const files = [];
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--method') {
    const name = args[(i += 1)];
    if (!/^\w+\.\w+$/.test(name ?? '')) fail('--method needs Agent.Method');
    if (!methods.includes(name)) methods.push(name);
  } else files.push(args[i]);
}
if (files.length === 0) fail('give the Services88 WSDL files (see the comment at the top of this script)');
const wsdls = files.map(readWsdl);
writeFileSync(OUT, rust(collect(wsdls, methods), wsdls.map((w) => `${w.agent} ${w.ns.slice(-10)}`)));
execFileSync('rustfmt', ['--edition', '2021', OUT], { stdio: 'inherit' });
console.log(`wrote ${OUT}`);
