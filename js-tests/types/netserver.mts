// Type-checked with tsc --module nodenext: NetServer agents and the authorized fetch, ESM side.
import {
  buildAgentRequest,
  parseAgentResponse,
  createSystemUserClient,
  createRefreshTokenClient,
  type AgentResult,
  type RestAgentResult,
  type HttpRequestDescriptor,
  type SystemUserClient,
} from 'superoffice-auth';
import axios from 'axios';
import { ContactAgent } from '@superoffice/webapi';
import { startMockSuperOffice } from 'superoffice-auth/testing';

const request: HttpRequestDescriptor = buildAgentRequest({
  protocol: 'soap',
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
const parsed: AgentResult = parseAgentResponse(
  { status: 200, body: request.body },
  { protocol: 'soap', method: 'GetAssociateList' },
);
const restParsed: RestAgentResult = parseAgentResponse({ status: 200, body: '[]' });
const ok: boolean = parsed.succeeded;
const mock = await startMockSuperOffice();
const remove: () => void = mock.injectFault('ticketRejected', { endpoint: 'netserver', times: 1 });
const removeError: () => void = mock.injectFault('agentException', {
  endpoint: 'restAgents',
  exceptionType: 'SoException',
  message: 'x',
});
const client: SystemUserClient = createSystemUserClient({
  baseUrl: mock.baseUrl,
  applicationToken: 'a',
  privateKey: 'k',
});
const res = await client.fetch('Cust1', 'v1/User/currentPrincipal', { headers: { Accept: 'application/json' } });
const status: number = res.status;
const called: RestAgentResult = await client.callAgent({ contextIdentifier: 'Cust1' }, 'Associate', 'GetAssociate', {
  AssociateId: 5,
});
const soapCalled: AgentResult = await client.callAgent(
  'Cust1',
  'Associate',
  'GetAssociate',
  { AssociateId: 5 },
  { protocol: 'soap' },
);
// @superoffice/webapi's agents take the options as they are.
const contact = await new ContactAgent(await client.webApiOptions('Cust1', { axios })).getContactEntityAsync(2);
const refresh = createRefreshTokenClient({
  baseUrl: mock.baseUrl,
  issuer: mock.issuer,
  clientId: 'c',
  clientSecret: 's',
  refreshToken: 'r',
});
const bearer = await refresh.fetch(new URL('https://x/'));
buildAgentRequest({
  protocol: 'soap',
  netserverUrl: 'x',
  agent: 'A',
  method: 'M',
  ticket: 't',
  applicationToken: 'a',
  // @ts-expect-error: parameters are plain data
  parameters: { f: () => 1 },
});
// @ts-expect-error: SOAP needs the method
parseAgentResponse({ status: 200, body: '' }, { protocol: 'soap' });
// @ts-expect-error: REST needs the webapiUrl, not the netserverUrl
buildAgentRequest({ netserverUrl: 'x', agent: 'A', method: 'M', ticket: 't', applicationToken: 'a' });
const netserverCalls: number = mock.stats.netserver + mock.stats.restAgents + mock.stats.agents;
void [ok, remove, removeError, status, called, soapCalled, restParsed, contact, bearer, netserverCalls];
await mock.close();
