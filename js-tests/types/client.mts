// Type-checked with tsc --module nodenext: the client and the stand-in, ESM side.
import {
  createSystemUserClient,
  createMemoryCache,
  type SystemUserClient,
  type ClientTicketResult,
} from 'superoffice-auth';
import { startMockSuperOffice, type MockSuperOffice } from 'superoffice-auth/testing';

const mock: MockSuperOffice = await startMockSuperOffice({ port: 0, jwtLifetimeSeconds: 120 });
mock.registerApplication({ applicationToken: 'a', publicKey: '-----BEGIN PUBLIC KEY-----' });
mock.addTenant({ contextIdentifier: 'Cust1', systemUserToken: 't', status: 'Revoked' });
const remove: () => void = mock.injectFault('latency', { ms: 10, times: 1, endpoint: 'jwks' });
const kid: string = mock.rotateSigningKey({ keepOld: true });
const client: SystemUserClient = createSystemUserClient({
  baseUrl: mock.baseUrl,
  applicationToken: 'a',
  privateKey: '<RSAKeyValue/>',
  transport: 'rest',
  cache: createMemoryCache(),
  systemUserTokens: async (ctx) => ctx,
  ticketTtlSeconds: 3600,
  onBackgroundError: (error, info) => void [error, info.during],
});
const result: ClientTicketResult = await client.getTicket({ contextIdentifier: 'Cust1', systemUserToken: 't' });
const obtained: Date = result.obtainedAt;
const headers = await client.authHeaders('Cust1');
const auth: string = headers.Authorization;
const removed: boolean = await client.invalidate('Cust1', { ticket: result.ticket });
const soap: number = mock.stats.soap;
// @ts-expect-error: environment and baseUrl are exclusive
createSystemUserClient({ environment: 'sod', baseUrl: 'https://x', applicationToken: 'a', privateKey: 'k' });
// @ts-expect-error: unknown fault
mock.injectFault('earthquake');
void [remove, kid, obtained, auth, removed, soap];
await mock.close();
