'use strict';
// `client.webApiOptions(ctx, { axios })`: options for SuperOffice's own typed client, @superoffice/webapi
// (`new ContactAgent(options)`), running on this package's system-user tickets.
//
// Its agents take `{ baseUrl, axios }` and send every request through that axios instance
// (`instance.post('GetContactEntity?contactEntityId=5', null, { baseURL: '{baseUrl}v1/Agents/Contact/' })`).
// The instance made here is the caller's axios (`axios.create`, so this package keeps zero runtime
// dependencies) with an adapter that hands each request to the tenant's authorized fetch: the same
// path as `client.fetch` and `callAgent`, so the rules live in one place.
//
// Decisions:
// - The adapter passes the request's URL *relative to the tenant's API* when it lies under the base URL
//   handed out (it always does for the agents), so the authorized fetch resolves it against the
//   tenant's current base: when that base changes (a tenant that moved host, issue 20), requests
//   follow without new options. Other absolute URLs go as they are and must be the tenant's origin.
// - The ticket headers are added by the authorized fetch, after axios has finished with the config:
//   the ticket is never in `config.headers`, so an AxiosError (config, request) carries none, whoever
//   logs it. Authorization and SO-AppToken given by the caller are replaced, as for `client.fetch`.
// - A 401 drops that ticket (if still cached), one coalesced exchange, one retry; a second 401 is
//   an AxiosError with `response.status` 401, as any status `validateStatus` refuses.
// - The response's body is read as `responseType` asks (text by default, which axios's own
//   transformResponse turns into JSON; `arraybuffer`, `blob`, `stream`); `config.timeout`, `signal`
//   and the deprecated `cancelToken` abort it: a timeout is AxiosError `ECONNABORTED`, a caller's
//   cancellation axios's CanceledError. Failures of our own (the ticket exchange, the network, the
//   client's `timeoutMs`) keep their SuperOfficeAuthError and its stable code.

const { invalidArgument } = require('../errors.cjs');

const CREDENTIAL_HEADERS = new Set(['authorization', 'so-apptoken']);

/**
 * `{ baseUrl, axios }` for @superoffice/webapi's agents. `axios` is the caller's axios (the module's
 * default export, or an instance with `create`); `authorizedFetch(input, init)` is the tenant's fetch.
 */
function createWebApiOptions({ axios, baseUrl, authorizedFetch }) {
  if (!axios || (typeof axios !== 'function' && typeof axios !== 'object') || typeof axios.create !== 'function') {
    throw invalidArgument("axios must be the axios module (import axios from 'axios') or an instance with create()");
  }
  const AxiosError = axios.AxiosError;
  if (typeof AxiosError !== 'function') {
    throw invalidArgument(
      "axios has no AxiosError: pass the axios module itself (import axios from 'axios'), version 1 or later",
    );
  }
  const CanceledError = typeof axios.CanceledError === 'function' ? axios.CanceledError : null;
  const base = new URL(baseUrl).href;

  let instance;
  async function adapter(config) {
    const url = instance.getUri(config);
    const input = url.startsWith(base) ? url.slice(base.length) || '.' : url;
    const method = String(config.method ?? 'get').toUpperCase();
    const headers = {};
    const given =
      config.headers && typeof config.headers.toJSON === 'function' ? config.headers.toJSON() : (config.headers ?? {});
    for (const [name, value] of Object.entries(given)) {
      if (value === undefined || value === null || value === false) continue;
      if (CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    const request = { method, url };

    // Abort: the caller's signal or cancel token, and axios's own timeout.
    const controller = new AbortController();
    let timedOut = false;
    const abort = () => controller.abort();
    if (config.signal) {
      if (config.signal.aborted) abort();
      else config.signal.addEventListener?.('abort', abort, { once: true });
    }
    config.cancelToken?.promise?.then(abort, () => {});
    const timer =
      config.timeout > 0
        ? setTimeout(() => {
            timedOut = true;
            abort();
          }, config.timeout)
        : null;
    const aborting = Boolean(config.signal || config.cancelToken || timer);
    const aborted = () => {
      if (timedOut) {
        return new AxiosError(
          `timeout of ${config.timeout}ms exceeded`,
          AxiosError.ECONNABORTED ?? 'ECONNABORTED',
          config,
          request,
        );
      }
      return CanceledError
        ? new CanceledError(undefined, undefined, config, request)
        : new AxiosError('canceled', AxiosError.ERR_CANCELED ?? 'ERR_CANCELED', config, request);
    };

    try {
      const body = method === 'GET' || method === 'HEAD' || config.data === null ? undefined : config.data;
      let res;
      try {
        res = await authorizedFetch(input, {
          method,
          headers,
          body,
          ...(aborting ? { signal: controller.signal } : {}),
        });
      } catch (err) {
        if (controller.signal.aborted) throw aborted();
        throw err;
      }
      let data;
      try {
        switch (config.responseType) {
          case 'stream':
            data = res.body;
            break;
          case 'arraybuffer':
            // An ArrayBuffer, as axios's own fetch adapter gives.
            data = await res.arrayBuffer();
            break;
          case 'blob':
            data = await res.blob();
            break;
          default:
            data = await res.text();
        }
      } catch (err) {
        if (controller.signal.aborted) throw aborted();
        throw err;
      }
      const response = {
        data,
        status: res.status,
        statusText: res.statusText,
        headers: Object.fromEntries(res.headers),
        config,
        request,
      };
      const validate = config.validateStatus;
      if (!validate || validate(res.status)) return response;
      const code =
        res.status >= 500
          ? (AxiosError.ERR_BAD_RESPONSE ?? 'ERR_BAD_RESPONSE')
          : (AxiosError.ERR_BAD_REQUEST ?? 'ERR_BAD_REQUEST');
      throw new AxiosError(`Request failed with status code ${res.status}`, code, config, request, response);
    } finally {
      if (timer) clearTimeout(timer);
      config.signal?.removeEventListener?.('abort', abort);
    }
  }

  instance = axios.create({ adapter });
  return { baseUrl: base, axios: instance };
}

module.exports = { createWebApiOptions };
