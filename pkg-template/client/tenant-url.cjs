'use strict';
// Where a tenant's credential may go (issue 19). Two questions, each one small function:
//
// - isTrustedTenantUrl(url, where): may a URL that names the tenant's services (a ticket's webapiUrl or
//   netserverUrl, a cached record's, an id_token's, an endpoint from SuperOffice's state API) be used
//   at all? With an environment: https on SuperOffice's own domain (superoffice.com and its
//   subdomains, default port). Tenants live on numbered hosts of that domain, and move between them:
//   SuperOffice's status page shows "Endpoint": "https://sod2.superoffice.com/Cust37911" and says the
//   host "will change routinely to balance the load", e.g. sod2 to sod3
//   (SuperOfficeDocs/superoffice-docs docs/en/apps/tenant-status/status-page.md). With a custom
//   baseUrl (a stand-in, a proxy): that URL's host name too, on any port (a stand-in serves tenants
//   from numbered hosts of its own, one port each), over https, or http only on a loopback host.
// - isUnderTenantBase(tenantBase, requestUrl): may this request carry the tenant's credential? The
//   tenant base is the tenant's root, origin and path (`https://sod2.superoffice.com/Cust37911`, as
//   the state API names it; a trailing slash is implied). Tenants share hosts, so the origin is not
//   enough: the request's path must lie under the base's path. Paths are compared after the WHATWG URL
//   parser's normalisation (dot segments, `%2e` spelled dots and backslashes resolved); what a server
//   might still decode into a separator or a dot segment (`%2f`, `%5c`, `%2e`, and `%25`, a percent
//   decoded twice) and user info in the URL are refused outright.
//
// The tenant's endpoint can move (issue 20: a 421 re-bases requests onto a new endpoint from the state
// API): the caller checks the new endpoint with isTrustedTenantUrl, then calls isUnderTenantBase with it.

const SUPEROFFICE_DOMAIN = 'superoffice.com';

function parse(url) {
  if (url instanceof URL) return url;
  if (typeof url !== 'string' || url === '') return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function isLoopback(hostname) {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function hasUserInfo(url) {
  return url.username !== '' || url.password !== '';
}

function onSuperOfficeDomain(url) {
  return (
    url.protocol === 'https:' &&
    url.port === '' &&
    (url.hostname === SUPEROFFICE_DOMAIN || url.hostname.endsWith(`.${SUPEROFFICE_DOMAIN}`))
  );
}

/**
 * Whether `url` may name a tenant's services for a client configured with `where` ({ environment } or
 * { baseUrl }). See the module comment.
 */
function isTrustedTenantUrl(url, where) {
  const parsed = parse(url);
  if (!parsed || hasUserInfo(parsed)) return false;
  if (onSuperOfficeDomain(parsed)) return true;
  if (!where || where.baseUrl === undefined) return false;
  const base = parse(where.baseUrl);
  if (!base || parsed.hostname !== base.hostname) return false;
  return parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopback(parsed.hostname));
}

/**
 * The tenant base a tenant URL lies under: its origin and first path segment, which must be the tenant
 * (`https://sod2.superoffice.com/Cust12345/api/` and `Cust12345` give
 * `https://sod2.superoffice.com/Cust12345/`). Null when the URL is not one, or its path does not start
 * with the tenant (compared without case, as IIS does; the URL's own spelling is kept).
 */
function tenantBaseOf(url, contextIdentifier) {
  const parsed = parse(url);
  if (!parsed || typeof contextIdentifier !== 'string' || contextIdentifier === '') return null;
  const segment = parsed.pathname.split('/')[1];
  if (!segment || hasEncodedSeparator(segment)) return null;
  let decoded;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return null;
  }
  if (decoded.toLowerCase() !== contextIdentifier.toLowerCase()) return null;
  return `${parsed.origin}/${segment}/`;
}

function hasEncodedSeparator(path) {
  return /%(?:2f|5c|2e|25)/i.test(path);
}

/** Whether `requestUrl` lies under `tenantBase` (origin and path prefix). See the module comment. */
function isUnderTenantBase(tenantBase, requestUrl) {
  const base = parse(tenantBase);
  const url = parse(requestUrl);
  if (!base || !url || hasUserInfo(url)) return false;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.origin !== base.origin) return false;
  if (hasEncodedSeparator(url.pathname)) return false;
  const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return url.pathname.startsWith(prefix);
}

module.exports = { isTrustedTenantUrl, isUnderTenantBase, tenantBaseOf };
