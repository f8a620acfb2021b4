// Type-checked with tsc --module nodenext: the tenant state API and the stand-in's hosts, ESM side.
import {
  buildTenantStateRequest,
  parseTenantState,
  SuperOfficeAuthError,
  type ErrorCode,
  type TenantState,
  type TenantStateName,
  type TenantStateRequestDescriptor,
} from 'superoffice-auth';
import { startMockSuperOffice, type MockTenantStateName } from 'superoffice-auth/testing';

const request: TenantStateRequestDescriptor = buildTenantStateRequest({
  environment: 'online',
  contextIdentifier: 'Cust1',
});
const method: 'GET' = request.method;
const local = buildTenantStateRequest({ baseUrl: 'http://127.0.0.1:4000', contextIdentifier: 'Cust1' });
const res = await fetch(local.url, { method: local.method, headers: local.headers });
const state: TenantState = parseTenantState(
  { status: res.status, headers: res.headers, body: await res.text() },
  { contextIdentifier: 'Cust1', now: new Date(), baseUrl: 'http://127.0.0.1:4000' },
);
const endpoint: string | null = state.endpoint;
const apiUrl: string | null = state.apiUrl;
const name: TenantStateName | string | number = state.state;
const code: number | null = state.stateCode;
const until: Date = state.validUntil;
const running: boolean = state.isRunning;
const unavailable: ErrorCode = 'ERR_TENANT_UNAVAILABLE';
const error = new SuperOfficeAuthError(unavailable, 'the tenant is not running', {
  state: 'OfflineMaintenance',
  stateCode: 6,
  validUntil: new Date(),
});
const details: Date | undefined = error.validUntil;
const stateOfError: string | number | undefined = error.state;

const mock = await startMockSuperOffice({ tenantHosts: 2, stateValidSeconds: 60, now: Date.now });
const hosts: string[] = mock.hosts;
mock.addTenant({ contextIdentifier: 'Cust1', systemUserToken: 't', host: 1 });
const moved: string = mock.moveTenant('Cust1', { to: 0 });
const offline: MockTenantStateName = 'OfflineMaintenance';
mock.setTenantState('Cust1', offline, { validForSeconds: 3600 });
mock.setTenantState('Cust1', 13, { isRunning: false });
const where: string = mock.tenantEndpoint('Cust1');
mock.injectFault('rateLimit', { retryAfter: 30, retryAfterDate: true, endpoint: 'state' });
const counts: number = mock.stats.misdirected + mock.stats.rateLimited + mock.stats.unavailable + mock.stats.state;
const perTenant: number = mock.stats.tenants.Cust1.misdirected + mock.stats.tenants.Cust1.state;
await mock.close();

export {
  stateOfError,
  method,
  endpoint,
  apiUrl,
  name,
  code,
  until,
  running,
  details,
  hosts,
  moved,
  where,
  counts,
  perTenant,
  request,
};
