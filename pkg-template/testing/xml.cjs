'use strict';
// The stand-in's own XML: a small reader for the requests it receives and the writing helpers for its
// answers. Independent of the package's core on purpose (see index.cjs): a test passing against the
// stand-in checks the core against a second reading of the protocol.

const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

function is(el, ns, local) {
  return el.ns === ns && el.local === local;
}

/** The child `local` in `ns`, if there is at most one: `{ ok, el }`. */
function only(parent, ns, local) {
  const found = parent.children.filter((c) => is(c, ns, local));
  return { ok: found.length <= 1, el: found[0] };
}

// A small XML parser for the request shape: elements, attributes, namespaces, text, CDATA, comments,
// processing instructions, the five predefined entities and character references. DOCTYPE is refused
// (no entity expansion, no external fetches). Produces { ns, local, attrs, children, text }.
function parseXml(input) {
  let i = 0;
  const s = input.replace(/^\uFEFF/, '');
  const stack = [];
  let root = null;
  const fail = (what) => {
    throw new Error(`${what} at offset ${i}`);
  };
  const decode = (text) =>
    text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);|&/g, (_match, ref) => {
      if (ref === undefined) fail('bare &');
      if (ref[0] === '#') {
        const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!(cp > 0 && cp <= 0x10ffff)) fail('bad character reference');
        return String.fromCodePoint(cp);
      }
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[ref];
    });
  const resolve = (prefix, scopes, isAttr) => {
    if (prefix === 'xml') return 'http://www.w3.org/XML/1998/namespace';
    if (isAttr && prefix === '') return '';
    for (let k = scopes.length - 1; k >= 0; k -= 1) if (Object.hasOwn(scopes[k], prefix)) return scopes[k][prefix];
    if (prefix === '') return '';
    return fail(`undeclared prefix ${prefix}`);
  };
  const scopes = [];
  while (i < s.length) {
    if (s.startsWith('<?', i)) {
      const end = s.indexOf('?>', i);
      if (end < 0) fail('unterminated processing instruction');
      i = end + 2;
    } else if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (s.startsWith('<![CDATA[', i)) {
      const end = s.indexOf(']]>', i);
      if (end < 0 || !stack.length) fail('bad CDATA');
      stack[stack.length - 1].text += s.slice(i + 9, end);
      i = end + 3;
    } else if (s.startsWith('<!', i)) {
      fail('DOCTYPE and declarations are refused');
    } else if (s.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*>/.exec(s.slice(i, i + 512));
      if (!m) fail('bad end tag');
      const el = stack.pop();
      scopes.pop();
      if (!el || el.qname !== m[1]) fail('mismatched end tag');
      i += m[0].length;
    } else if (s[i] === '<') {
      const m =
        /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(
          s.slice(i, i + 65536),
        );
      if (!m) fail('bad start tag');
      if (root && !stack.length) fail('content after the root element');
      const rawAttrs = {};
      for (const a of m[2].matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        if (Object.hasOwn(rawAttrs, a[1])) fail('duplicate attribute');
        rawAttrs[a[1]] = decode(a[2] ?? a[3]);
      }
      const scope = {};
      for (const [name, value] of Object.entries(rawAttrs)) {
        if (name === 'xmlns') scope[''] = value;
        else if (name.startsWith('xmlns:')) scope[name.slice(6)] = value;
      }
      scopes.push(scope);
      const [prefix, local] = m[1].includes(':') ? m[1].split(':') : ['', m[1]];
      const attrs = {};
      for (const [name, value] of Object.entries(rawAttrs)) {
        if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
        const [ap, al] = name.includes(':') ? name.split(':') : ['', name];
        attrs[`{${resolve(ap, scopes, true)}}${al}`] = value;
      }
      const el = { qname: m[1], ns: resolve(prefix, scopes, false), local, attrs, children: [], text: '' };
      if (stack.length) stack[stack.length - 1].children.push(el);
      else root = el;
      i += m[0].length;
      if (m[3]) scopes.pop();
      else stack.push(el);
    } else {
      const end = s.indexOf('<', i);
      const raw = s.slice(i, end < 0 ? s.length : end);
      if (stack.length) stack[stack.length - 1].text += decode(raw);
      else if (raw.trim()) fail('text outside the root element');
      i = end < 0 ? s.length : end;
    }
  }
  if (!root || stack.length) fail('unterminated document');
  return root;
}

function xmlEscape(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c],
  );
}

function soapFault(code, text) {
  return `<s:Envelope xmlns:s="${SOAP_ENV_NS}"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">${xmlEscape(code)}</faultcode><faultstring xml:lang="en-US">${xmlEscape(text)}</faultstring></s:Fault></s:Body></s:Envelope>`;
}

module.exports = { SOAP_ENV_NS, XSI_NS, is, only, parseXml, xmlEscape, soapFault };
