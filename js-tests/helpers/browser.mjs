// The person's browser in the authorization flows, reduced to what it does for OAuth: it opens the
// authorize URL, and delivers what comes back to the redirect URI (a 302 with the parameters in the
// query or fragment, or a form_post page whose form it submits). Written against HTTP and HTML, not
// against the stand-in's internals, so it works on any server that answers like SuperOffice.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Opens `url` and returns what the browser would send to the redirect URI:
 * { method: 'GET', url, query, fragment } after a redirect, or { method: 'POST', url, body } for a
 * form_post page (body as application/x-www-form-urlencoded text). Anything else throws.
 */
export async function openAuthorizeUrl(url) {
  const res = await fetch(url, { redirect: 'manual' });
  if (res.status === 302 || res.status === 303) {
    const location = new URL(res.headers.get('location'));
    return {
      method: 'GET',
      url: location.href,
      query: location.search,
      fragment: location.hash,
    };
  }
  const text = await res.text();
  if (res.status !== 200 || !/^text\/html\b/.test(res.headers.get('content-type') ?? '')) {
    throw new Error(`the authorize endpoint answered ${res.status}: ${text.slice(0, 200)}`);
  }
  const form = /<form\b[^>]*\bmethod="post"[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(text);
  if (!form) throw new Error('the page has no form to post');
  const fields = new URLSearchParams();
  for (const input of form[2].matchAll(/<input\b[^>]*\bname="([^"]*)"[^>]*\bvalue="([^"]*)"/gi)) {
    fields.append(htmlDecode(input[1]), htmlDecode(input[2]));
  }
  return { method: 'POST', url: htmlDecode(form[1]), body: fields.toString() };
}

/** Delivers what openAuthorizeUrl returned to the redirect URI (an application's server). */
export async function deliver(delivery) {
  if (delivery.method === 'GET') return fetch(delivery.url, { redirect: 'manual' });
  return fetch(delivery.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: delivery.body,
    redirect: 'manual',
  });
}

function htmlDecode(text) {
  return text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, name) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name],
  );
}

/**
 * Imports one of the workspace's devDependencies (an outside implementation to test against). The
 * tests run in a scratch project that holds only the packed package, so it is resolved from the
 * repository that `npm test` names in SUPEROFFICE_AUTH_REPO.
 */
export async function importDevDependency(name) {
  const repo = process.env.SUPEROFFICE_AUTH_REPO;
  if (!repo)
    throw new Error(`SUPEROFFICE_AUTH_REPO is not set: run the tests through npm test, which installs ${name}`);
  const resolved = createRequire(join(repo, 'package.json')).resolve(name);
  return import(pathToFileURL(resolved).href);
}
