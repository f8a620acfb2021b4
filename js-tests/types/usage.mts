// Type-checked with tsc --module nodenext against the installed package's declarations (ESM side).
import {
  signToken,
  PrivateKey,
  KeySet,
  buildTicketRequest,
  parseTicketResponse,
  validateToken,
  authHeaders,
  SuperOfficeAuthError,
  ERROR_CODES,
  type ErrorCode,
  type TicketResult,
  type HttpRequestDescriptor,
} from 'superoffice-auth';

const key: PrivateKey = PrivateKey.parse('...');
const bits: number = key.bits;
const pem: string = key.toPem('pkcs1');
const signed: string = signToken('token', key, { now: new Date() });
signToken('token', '<RSAKeyValue/>', { now: 0 });
const request: HttpRequestDescriptor = buildTicketRequest({
  environment: 'online',
  transport: 'rest',
  applicationToken: 'a',
  contextIdentifier: 'c',
  signedSystemToken: signed,
});
const headers: Record<string, string> = request.headers;
const result: TicketResult = parseTicketResponse(
  { status: 200, headers, body: '' },
  { keys: KeySet.from('...'), now: Date.now() },
);
const expires: Date = result.expiresAt;
const claims = validateToken('jwt', { keys: { keys: [] }, audience: 'x', leewaySeconds: 30 });
const auth: { Authorization: string } = authHeaders(result.ticket, 'app');
const codes: readonly ErrorCode[] = ERROR_CODES;
try {
  signToken('t', key);
} catch (error) {
  if (error instanceof SuperOfficeAuthError && error.code === 'ERR_TICKET_DENIED') {
    const reason: string | undefined = error.reason;
    void reason;
  }
}
// @ts-expect-error: environment and baseUrl are exclusive
buildTicketRequest({
  environment: 'sod',
  baseUrl: 'https://x',
  applicationToken: 'a',
  contextIdentifier: 'c',
  signedSystemToken: 's',
});
// @ts-expect-error: unknown environment
buildTicketRequest({ environment: 'prod', applicationToken: 'a', contextIdentifier: 'c', signedSystemToken: 's' });
void [bits, pem, expires, claims, auth, codes];
