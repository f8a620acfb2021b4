// Type-checked with tsc --module nodenext: NetServer agents and the authorized fetch, ESM side.
import {
  buildAgentRequest,
  parseAgentResponse,
  createSystemUserClient,
  createRefreshTokenClient,
  type AgentResult,
  type HttpRequestDescriptor,
  type SystemUserClient,
} from 'superoffice-auth';
import { startMockSuperOffice } from 'superoffice-auth/testing';

const request: HttpRequestDescriptor = buildAgentRequest({
  netserverUrl: 'https://sod.superoffice.com/Cust1/Remote/Services88/',
  agent: 'Associate',
  method: 'GetAssociateList',
  parameters: {
    AssociateIds: [1, 2],
    When: new Date(),
    Name: null,
    Entity: { Phones: { EntityElement: [{ Value: '1' }] } },
  },
  ticket: '7T:x',
  applicationToken: 'a',
  timeZone: { SoTimeZoneId: 2 },
});
const parsed: AgentResult = parseAgentResponse({ status: 200, body: request.body }, { method: 'GetAssociateList' });
const ok: boolean = parsed.succeeded;
const mock = await startMockSuperOffice();
const remove: () => void = mock.injectFault('ticketRejected', { endpoint: 'netserver', times: 1 });
const client: SystemUserClient = createSystemUserClient({
  baseUrl: mock.baseUrl,
  applicationToken: 'a',
  privateKey: 'k',
});
const res = await client.fetch('Cust1', 'v1/User/currentPrincipal', { headers: { Accept: 'application/json' } });
const status: number = res.status;
const called: AgentResult = await client.callAgent({ contextIdentifier: 'Cust1' }, 'Associate', 'GetAssociate', {
  AssociateId: 5,
});
const refresh = createRefreshTokenClient({
  baseUrl: mock.baseUrl,
  issuer: mock.issuer,
  clientId: 'c',
  clientSecret: 's',
  refreshToken: 'r',
});
const bearer = await refresh.fetch(new URL('https://x/'));
buildAgentRequest({
  netserverUrl: 'x',
  agent: 'A',
  method: 'M',
  ticket: 't',
  applicationToken: 'a',
  // @ts-expect-error: parameters are plain data
  parameters: { f: () => 1 },
});
// @ts-expect-error: the method is required
parseAgentResponse({ status: 200, body: '' }, {});
const netserverCalls: number = mock.stats.netserver;
void [ok, remove, status, called, bearer, netserverCalls];
await mock.close();
