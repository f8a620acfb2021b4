// Types for superoffice-auth. The error codes below mirror src/error.rs exactly (a test holds them equal).

export type ErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_KEY_INVALID'
  | 'ERR_KEY_UNSUPPORTED'
  | 'ERR_KEY_ENCRYPTED'
  | 'ERR_KEY_TOO_SMALL'
  | 'ERR_KEYSET_INVALID'
  | 'ERR_RESPONSE_MALFORMED'
  | 'ERR_RESPONSE_TOO_LARGE'
  | 'ERR_XML_FORBIDDEN'
  | 'ERR_SOAP_FAULT'
  | 'ERR_HTTP_STATUS'
  | 'ERR_TICKET_DENIED'
  | 'ERR_JWT_MALFORMED'
  | 'ERR_JWT_ALG_NOT_ALLOWED'
  | 'ERR_JWT_KEY_NOT_FOUND'
  | 'ERR_JWT_SIGNATURE_INVALID'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_NOT_YET_VALID'
  | 'ERR_JWT_CLAIM_INVALID'
  | 'ERR_TICKET_MISSING'
  | 'ERR_FETCH_FAILED'
  | 'ERR_TIMEOUT'
  | 'ERR_RANDOM_UNAVAILABLE'
  | 'ERR_OAUTH_ERROR';

export declare const ERROR_CODES: readonly ErrorCode[];

/** SuperOffice's AuthorizeErrorCode names, as recognised in a denied response. */
export type AuthorizeErrorName =
  | 'Revoked'
  | 'InvalidRedirectUrl'
  | 'Expired'
  | 'Denied'
  | 'NeedsReapproval'
  | 'InvalidTimestamp'
  | 'InvalidSignature';

export interface SuperOfficeAuthErrorDetails {
  cause?: unknown;
  /** ERR_JWT_CLAIM_INVALID: the claim's name (never its value). */
  claim?: string;
  /** ERR_SOAP_FAULT */
  faultCode?: string;
  faultString?: string;
  /** ERR_TICKET_DENIED: the service's ErrorMessage. */
  serverMessage?: string;
  /** ERR_TICKET_DENIED: the AuthorizeErrorCode name the message carries, if any. */
  reason?: AuthorizeErrorName;
  /** ERR_HTTP_STATUS */
  status?: number;
  /** ERR_KEY_TOO_SMALL */
  bits?: number;
  /** ERR_RESPONSE_TOO_LARGE: the limit in bytes. */
  limit?: number;
  /** ERR_OAUTH_ERROR: the OAuth `error` (e.g. `invalid_grant`) and `error_description`. */
  oauthError?: string;
  errorDescription?: string;
  [field: string]: unknown;
}

export declare class SuperOfficeAuthError extends Error {
  constructor(code: ErrorCode, message: string, details?: SuperOfficeAuthErrorDetails);
  readonly name: 'SuperOfficeAuthError';
  readonly code: ErrorCode;
  readonly claim?: string;
  readonly faultCode?: string;
  readonly faultString?: string;
  readonly serverMessage?: string;
  readonly reason?: AuthorizeErrorName;
  readonly status?: number;
  readonly bits?: number;
  readonly limit?: number;
  readonly oauthError?: string;
  readonly errorDescription?: string;
}

/** A time: a Date or epoch milliseconds. */
export type TimeInput = Date | number;

export type Environment = 'sod' | 'stage' | 'online' | 'qaonline';
export type Transport = 'soap' | 'rest';

/** A parsed RSA private key (at least 2048 bits). Key material stays in wasm memory. */
export declare class PrivateKey {
  private constructor();
  /** PEM PKCS#1 (`RSA PRIVATE KEY`), PEM PKCS#8 (`PRIVATE KEY`) or .NET `<RSAKeyValue>` XML. */
  static parse(text: string): PrivateKey;
  readonly bits: number;
  toPem(format?: 'pkcs8' | 'pkcs1'): string;
  /** The .NET `<RSAKeyValue>` XML form SuperOffice issues. */
  toXml(): string;
  toJSON(): { type: 'PrivateKey'; bits: number };
}

/** A JWKS document as returned by `{host}/login/.well-known/jwks`. */
export interface Jwks {
  keys: Array<Record<string, unknown>>;
}

/** Verification keys: JWKS (text or object), PEM certificates (X.509 v1/v3) or SPKI public keys. */
export declare class KeySet {
  private constructor();
  static from(keys: KeysInput): KeySet;
  readonly size: number;
}

export type KeysInput = string | readonly string[] | Jwks | KeySet;

export interface SignTokenOptions {
  /** Defaults to the current time. */
  now?: TimeInput;
}

/** Returns `systemUserToken.yyyyMMddHHmm.base64(signature)` (RSASSA-PKCS1-v1_5, SHA-256, UTC). */
export declare function signToken(
  systemUserToken: string,
  privateKey: string | PrivateKey,
  options?: SignTokenOptions,
): string;

export type TicketRequestParams = {
  transport?: Transport;
  applicationToken: string;
  contextIdentifier: string;
  signedSystemToken: string;
} & ({ environment: Environment; baseUrl?: undefined } | { baseUrl: string; environment?: undefined });

export interface HttpRequestDescriptor {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

export declare function buildTicketRequest(params: TicketRequestParams): HttpRequestDescriptor;

/** Anything with a status, headers and a body read as text: a `fetch` Response after `await res.text()`. */
export interface HttpResponseInput {
  status: number;
  headers?: Record<string, string | string[] | undefined> | { get(name: string): string | null };
  body: string | Uint8Array;
}

export interface ParseTicketResponseOptions {
  keys: KeysInput;
  /** Defaults to the current time. */
  now?: TimeInput;
  /** Clock-skew allowance, 0 to 3600; default 60. */
  leewaySeconds?: number;
  /** When given, the token's tenant (`ctx`) must equal it. */
  contextIdentifier?: string;
}

export type Claims = Record<string, unknown>;

export interface TicketResult {
  /** The `7T:...` system user ticket. */
  ticket: string;
  contextIdentifier: string;
  serial: string;
  netserverUrl: string | null;
  webapiUrl: string | null;
  isAdministrator: boolean;
  /** Expiry of the JWT that carried the ticket. */
  expiresAt: Date;
  claims: Claims;
}

export declare function parseTicketResponse(
  response: HttpResponseInput,
  options: ParseTicketResponseOptions,
): TicketResult;

export interface ValidateTokenOptions {
  keys: KeysInput;
  issuer?: string;
  audience?: string;
  nonce?: string;
  now?: TimeInput;
  leewaySeconds?: number;
}

/** Validates any RS256 JWT (signature, exp/nbf/iat, and iss/aud/nonce when given) and returns its claims. */
export declare function validateToken(jwt: string, options: ValidateTokenOptions): Claims;

export interface AuthHeaders {
  Authorization: string;
  'SO-AppToken': string;
  [name: string]: string;
}

export declare function authHeaders(ticket: string, applicationToken: string): AuthHeaders;

// ---- client (owned by the client engineer) ----
