'use strict';
// Door: the tenant state API on the authentication host, GET /api/state/{contextIdentifier}, and the
// tenant's life that it reports: where the tenant lives (moveTenant) and in which state
// (setTenantState). What SuperOffice documents, and this door follows (SuperOfficeDocs/superoffice-docs):
//
// - docs/en/apps/tenant-status/check-status.md: `GET https://{env}.superoffice.com/api/state/{ctx}`;
// - docs/en/apps/tenant-status/status-page.md and
//   docs/en/developer-portal/best-practices/tenant-status/check-status.md: the answer
//   `{ ContextIdentifier, Endpoint, State, IsRunning, ValidUntil, Api }`, the states and their numbers,
//   IsRunning true for Running and OnlineMaintenance only, "APIs are not available" in the others, and
//   the endpoint that "will change routinely to balance the load" (online2 -> app);
// - docs/en/developer-portal/includes/app-envir-intro.md: authentication on sod., qaonline. and online.,
//   tenants on numbered and app hosts (sod2/app-sod, stage/app-stage, online2/app);
// - the same pages' note: since 17 November 2023 a call to the wrong host answers 421 Misdirected
//   Request, "Wrong subdomain used to access tenant", and hosts without a number are reserved for
//   authentication (server.cjs answers those 421s; this door says where the tenant is).
//
// Where the documentation is silent, the stand-in's choices: an unknown tenant is answered 200 with
// State Unknown and no Endpoint or Api; ValidUntil is now + `stateValidSeconds` (or the state's own
// `validForSeconds`), written as .NET writes a UTC DateTime (seven fraction digits and Z).

const { JSON_TYPE, send, requireString } = require('./http.cjs');

/** SuperOffice's documented states: name -> number. */
const STATES = Object.freeze({
  Unknown: 0,
  Provisioning: 1,
  Running: 2,
  Deleted: 3,
  Suspended: 4,
  OnlineMaintenance: 5,
  OfflineMaintenance: 6,
  ProvisioningFailed: 8,
  Deleting: 10,
  DeleteFailed: 11,
  MigrationPending: 12,
});
const RUNNING = new Set(['Running', 'OnlineMaintenance']);

/** A Date as .NET's round-trip format writes a UTC DateTime: 2026-02-23T09:52:01.9340000Z. */
function dotNetUtc(ms) {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

function create(stand) {
  const { tenants, now } = stand;

  function route(url) {
    const m = /^\/api\/state\/([^/]+)$/i.exec(url.pathname);
    return m ? { endpoint: 'state', contextIdentifier: decodeURIComponent(m[1]) } : undefined;
  }

  function handle(req, res, r) {
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
    const tenant = tenants.get(r.contextIdentifier);
    const t = now();
    if (!tenant) {
      return send(
        res,
        200,
        JSON_TYPE,
        JSON.stringify({
          ContextIdentifier: r.contextIdentifier,
          Endpoint: null,
          State: 'Unknown',
          IsRunning: false,
          ValidUntil: dotNetUtc(t + stand.options.stateValidSeconds * 1000),
          Api: null,
        }),
      );
    }
    const { state } = tenant;
    const endpoint = stand.tenantEndpoint(tenant.contextIdentifier);
    return send(
      res,
      200,
      JSON_TYPE,
      JSON.stringify({
        ContextIdentifier: tenant.contextIdentifier,
        Endpoint: endpoint,
        State: state.name,
        IsRunning: state.isRunning,
        ValidUntil: dotNetUtc(t + state.validForSeconds * 1000),
        Api: `${endpoint}/api`,
        Version: 'Release_11.10_stand-in',
      }),
    );
  }

  function seedTenant(tenant) {
    tenant.state = { name: 'Running', isRunning: true, validForSeconds: stand.options.stateValidSeconds };
  }

  function known(contextIdentifier) {
    requireString('contextIdentifier', contextIdentifier);
    const tenant = tenants.get(contextIdentifier);
    if (!tenant) throw new TypeError('unknown tenant');
    return tenant;
  }

  const methods = {
    /**
     * Move the tenant to another tenant host (default: the next one). From now on its old host answers
     * 421 for it, the state API names the new endpoint, and new tickets and id_tokens carry the new
     * URLs; tickets already issued stay valid on the new host. Returns the new endpoint.
     */
    moveTenant(contextIdentifier, { to } = {}) {
      const tenant = known(contextIdentifier);
      const count = stand.hosts.length;
      if (count < 2) throw new TypeError('moveTenant needs tenantHosts of 2 or more');
      const target = to ?? (tenant.host + 1) % count;
      if (!Number.isInteger(target) || target < 0 || target >= count) {
        throw new TypeError(`to must be a tenant host index 0..${count - 1}`);
      }
      tenant.host = target;
      return stand.tenantEndpoint(contextIdentifier);
    },
    /**
     * Put the tenant in a state: one of SuperOffice's names (Running, OfflineMaintenance, Deleted, ...)
     * or a number (undocumented ones too). While it is not running, its REST API and NetServer agents
     * answer 503 and the exchange is denied. `validForSeconds`: the state API's ValidUntil from now
     * (default the stand-in's stateValidSeconds). `isRunning`: for an undocumented number only.
     */
    setTenantState(contextIdentifier, state, { validForSeconds, isRunning } = {}) {
      const tenant = known(contextIdentifier);
      let name;
      if (typeof state === 'string' && Object.hasOwn(STATES, state)) name = state;
      else if (Number.isInteger(state) && state >= 0) {
        name = Object.keys(STATES).find((known) => STATES[known] === state) ?? state;
      } else throw new TypeError(`state must be one of ${Object.keys(STATES).join(', ')}, or a number`);
      if (isRunning !== undefined && (typeof name === 'string' || typeof isRunning !== 'boolean')) {
        throw new TypeError('isRunning is given for an undocumented state number only, as a boolean');
      }
      const seconds = validForSeconds ?? stand.options.stateValidSeconds;
      if (!Number.isInteger(seconds) || seconds < 0) throw new TypeError('validForSeconds must be an integer >= 0');
      tenant.state = {
        name,
        isRunning: typeof name === 'string' ? RUNNING.has(name) : Boolean(isRunning),
        validForSeconds: seconds,
      };
    },
    /** The tenant's current endpoint, e.g. http://127.0.0.1:4102/Cust1 (its URLs are below it). */
    tenantEndpoint(contextIdentifier) {
      known(contextIdentifier);
      return stand.tenantEndpoint(contextIdentifier);
    },
  };

  return { route, handle, seedTenant, methods };
}

module.exports = { endpoints: ['state'], counters: [], perTenant: true, host: 'login', create, STATES };
