'use strict';
// node:http plumbing every door of the stand-in uses: reading a bounded body, answering, and the
// argument check of its public methods.

const MAX_BODY = 256 * 1024;
const XML_TYPE = 'text/xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

// Token responses must not be cached (RFC 6749 §5.1).
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function send(res, status, type, body, extraHeaders = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extraHeaders });
  res.end(body);
}

/** The body as text, or null when it is over MAX_BODY. */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function requireString(name, value) {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
}

function checkRedirectUris(redirectUris) {
  if (redirectUris === undefined) return;
  if (!Array.isArray(redirectUris) || redirectUris.some((uri) => typeof uri !== 'string' || uri === '')) {
    throw new TypeError('redirectUris must be an array of non-empty strings');
  }
}

module.exports = { checkRedirectUris, MAX_BODY, XML_TYPE, JSON_TYPE, NO_STORE, send, readBody, sleep, requireString };
