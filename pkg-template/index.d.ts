// Types for superoffice-auth. The error codes below mirror src/error.rs exactly (a test holds them equal).
// The same declarations serve every entry (Node, Deno, Bun, workerd, browsers); the CLI and
// `superoffice-auth/testing` (the stand-in) are Node-only.
// Every export, option and error code carries a doc comment: scripts/api-docs.mjs builds docs/api/ from
// them and `npm test` fails on one without.

/**
 * System-user authentication to SuperOffice CRM Online: sign, exchange, validate and cache tickets; read
 * SuperIdTokens; refresh access tokens.
 *
 * @module superoffice-auth
 */

/** The stable code of every failure: `SuperOfficeAuthError.code`. Renaming or removing one is a breaking change. */
export type ErrorCode =
  /** A wrong type, an empty value or an out-of-range argument. */
  | 'ERR_INVALID_ARGUMENT'
  /** Not a well-formed key: PEM, DER, base64 or inconsistent RSA components. */
  | 'ERR_KEY_INVALID'
  /** Well-formed, but not an RSA private key (EC, Ed25519, RSA-PSS, a public key, a certificate). */
  | 'ERR_KEY_UNSUPPORTED'
  /** A password-protected key: decrypt it first. */
  | 'ERR_KEY_ENCRYPTED'
  /** An RSA key under 2048 bits, `bits` says how many it has. */
  | 'ERR_KEY_TOO_SMALL'
  /** Verification keys that cannot be used (no RS256 key, duplicate `kid`, small modulus, ...). */
  | 'ERR_KEYSET_INVALID'
  /** The response is not what the service sends. */
  | 'ERR_RESPONSE_MALFORMED'
  /** A body over 256 KiB, `limit` is the limit in bytes. */
  | 'ERR_RESPONSE_TOO_LARGE'
  /** A DOCTYPE or an entity other than the five predefined ones. */
  | 'ERR_XML_FORBIDDEN'
  /** A SOAP 1.1/1.2 fault, `faultCode`, `faultString`. */
  | 'ERR_SOAP_FAULT'
  /** A non-2xx status without a fault or denial, `status`. */
  | 'ERR_HTTP_STATUS'
  /** `IsSuccessful` false, `serverMessage` and `reason` (`InvalidSignature`, `InvalidTimestamp`, ...). */
  | 'ERR_TICKET_DENIED'
  /** Not a compact JWS, bad base64url, duplicate member names, an unsupported `crit`, or over 16 KiB. */
  | 'ERR_JWT_MALFORMED'
  /** An `alg` other than RS256. */
  | 'ERR_JWT_ALG_NOT_ALLOWED'
  /** No key matches the token's `kid`/`x5t`. */
  | 'ERR_JWT_KEY_NOT_FOUND'
  /** The signature does not verify. */
  | 'ERR_JWT_SIGNATURE_INVALID'
  /** `exp` has passed (beyond the leeway, default 60 s). */
  | 'ERR_JWT_EXPIRED'
  /** `nbf` or `iat` lies in the future (beyond the leeway). */
  | 'ERR_JWT_NOT_YET_VALID'
  /** A missing, mistyped or wrong claim, `claim` names it (never its value). */
  | 'ERR_JWT_CLAIM_INVALID'
  /** A validated token without a ticket claim. */
  | 'ERR_TICKET_MISSING'
  /** The client's `fetch` failed (or answered a redirect), `cause`. */
  | 'ERR_FETCH_FAILED'
  /** The client's request timed out (`timeoutMs`). */
  | 'ERR_TIMEOUT'
  /** The platform CSPRNG failed. */
  | 'ERR_RANDOM_UNAVAILABLE'
  /** An OAuth error body from the token endpoint, `oauthError` (e.g. `invalid_grant`), `errorDescription`. */
  | 'ERR_OAUTH_ERROR'
  /** The redirect's `state` is missing or is not the one kept from createAuthorizationRequest. */
  | 'ERR_STATE_MISMATCH'
  /** A NetServer agent answered ExceptionInfo (or Succeeded false), `exceptionType`, `friendlyText`, `serverMessage` (never its stack trace). */
  | 'ERR_NETSERVER_EXCEPTION'
  /** The tenant refused the ticket (HTTP 401/403, or an ExceptionInfo of type SoSessionException), `status`, `exceptionType`, `friendlyText`, `serverMessage`, `retried`. */
  | 'ERR_TICKET_REJECTED'
  /** The tenant is not running (the state API says so), `state`, `stateCode`, `validUntil`: the client fails fast until then, without exchanging. */
  | 'ERR_TENANT_UNAVAILABLE'
  /** A webhook delivery or tenant status notification failed verification or is not what SuperOffice sends, `reason` (a WebhookInvalidReason). */
  | 'ERR_WEBHOOK_INVALID';

/** Every `ErrorCode`, in the order of src/error.rs. */
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

/**
 * Why a delivery was refused (ERR_WEBHOOK_INVALID):
 * - `missing-signature`: no `X-SuperOffice-Signature` (the webhook was registered without a secret);
 * - `malformed-signature`: the header is not the base64 of 32 bytes (or was sent twice);
 * - `signature-mismatch`: not the HMAC-SHA256 of the exact body bytes under any secret given;
 * - `malformed-json`: the body is not a JSON object (or repeats a member name);
 * - `malformed-event`: JSON, but a member SuperOffice always sends is missing or of the wrong type;
 * - `event-id-mismatch`: `X-SuperOffice-EventId` names another event than the body's `EventId`;
 * - `too-old`, `timestamp-in-future`: the event's `Timestamp` is further than `maxAgeSeconds` from now.
 */
export type WebhookInvalidReason =
  | 'missing-signature'
  | 'malformed-signature'
  | 'signature-mismatch'
  | 'malformed-json'
  | 'malformed-event'
  | 'event-id-mismatch'
  | 'too-old'
  | 'timestamp-in-future';

/** The extra fields an error may carry, by code. */
export interface SuperOfficeAuthErrorDetails {
  /** ERR_FETCH_FAILED: what `fetch` threw. */
  cause?: unknown;
  /** ERR_JWT_CLAIM_INVALID: the claim's name (never its value). */
  claim?: string;
  /** ERR_SOAP_FAULT */
  faultCode?: string;
  /** ERR_SOAP_FAULT */
  faultString?: string;
  /** ERR_TICKET_DENIED: the service's ErrorMessage. */
  serverMessage?: string;
  /** ERR_TICKET_DENIED: the AuthorizeErrorCode name the message carries, if any. ERR_WEBHOOK_INVALID: why. */
  reason?: AuthorizeErrorName | WebhookInvalidReason;
  /** ERR_HTTP_STATUS */
  status?: number;
  /** ERR_KEY_TOO_SMALL */
  bits?: number;
  /** ERR_RESPONSE_TOO_LARGE: the limit in bytes. */
  limit?: number;
  /** ERR_OAUTH_ERROR: the OAuth `error` (e.g. `invalid_grant`) and `error_description`. */
  oauthError?: string;
  /** ERR_OAUTH_ERROR: the `error_description`, when the server sent one. */
  errorDescription?: string;
  /** ERR_NETSERVER_EXCEPTION, ERR_TICKET_REJECTED: from the agent's ExceptionInfo (never its stack trace). */
  exceptionType?: string;
  friendlyText?: string;
  /** ERR_TICKET_REJECTED from client.fetch: false when a stream body could not be sent again. */
  retried?: boolean;
  /** ERR_HTTP_STATUS after a 429 (or a 503 with Retry-After): how long SuperOffice asked to wait, in ms (null: it did not say). */
  retryAfterMs?: number | null;
  /** ERR_TENANT_UNAVAILABLE: the state's name, or its number when SuperOffice did not document it. */
  state?: TenantStateName | string | number;
  /** ERR_TENANT_UNAVAILABLE: the state's documented number (Running is 2), when known. */
  stateCode?: number;
  /** ERR_TENANT_UNAVAILABLE: when the state API says to ask again. */
  validUntil?: Date;
  [field: string]: unknown;
}

/**
 * A tenant state SuperOffice documents (status-page.md of its tenant-status docs): Unknown (0),
 * Provisioning (1), Running (2), Deleted (3), Suspended (4), OnlineMaintenance (5),
 * OfflineMaintenance (6), ProvisioningFailed (8), Deleting (10), DeleteFailed (11),
 * MigrationPending (12). The tenant's APIs answer in Running and OnlineMaintenance only.
 */
export type TenantStateName =
  | 'Unknown'
  | 'Provisioning'
  | 'Running'
  | 'Deleted'
  | 'Suspended'
  | 'OnlineMaintenance'
  | 'OfflineMaintenance'
  | 'ProvisioningFailed'
  | 'Deleting'
  | 'DeleteFailed'
  | 'MigrationPending';

/**
 * Every failure of the package: a JS `Error` with a stable `code` and, for some codes, extra fields
 * (see `SuperOfficeAuthErrorDetails`). Messages never contain a key, token, ticket or secret.
 */
export declare class SuperOfficeAuthError extends Error {
  constructor(code: ErrorCode, message: string, details?: SuperOfficeAuthErrorDetails);
  readonly name: 'SuperOfficeAuthError';
  readonly code: ErrorCode;
  readonly claim?: string;
  readonly faultCode?: string;
  readonly faultString?: string;
  readonly serverMessage?: string;
  readonly reason?: AuthorizeErrorName | WebhookInvalidReason;
  readonly status?: number;
  readonly bits?: number;
  readonly limit?: number;
  readonly oauthError?: string;
  readonly errorDescription?: string;
  readonly exceptionType?: string;
  readonly friendlyText?: string;
  readonly retried?: boolean;
  /** ERR_HTTP_STATUS after a 429 (or a 503 with Retry-After): the wait asked for, in ms (null: none given). */
  readonly retryAfterMs?: number | null;
  /** ERR_TENANT_UNAVAILABLE: the state's name, or its number when SuperOffice did not document it. */
  readonly state?: TenantStateName | string | number;
  /** ERR_TENANT_UNAVAILABLE: the state's number, when known. */
  readonly stateCode?: number;
  /** ERR_TENANT_UNAVAILABLE: when the state API says to ask again. */
  readonly validUntil?: Date;
}

/** A time: a Date or epoch milliseconds. */
export type TimeInput = Date | number;

/** SuperOffice's online environments: `https://{environment}.superoffice.com`. */
export type Environment = 'sod' | 'stage' | 'online' | 'qaonline';
/** The ticket exchange over SOAP (PartnerSystemUserService.svc, the default) or REST. */
export type Transport = 'soap' | 'rest';

/** A parsed RSA private key (at least 2048 bits). Key material stays in wasm memory. */
export declare class PrivateKey {
  private constructor();
  /** PEM PKCS#1 (`RSA PRIVATE KEY`), PEM PKCS#8 (`PRIVATE KEY`) or .NET `<RSAKeyValue>` XML. */
  static parse(text: string): PrivateKey;
  readonly bits: number;
  /** The key as PEM: PKCS#8 (`PRIVATE KEY`, the default) or PKCS#1 (`RSA PRIVATE KEY`). A secret. */
  toPem(format?: 'pkcs8' | 'pkcs1'): string;
  /** The .NET `<RSAKeyValue>` XML form SuperOffice issues. */
  toXml(): string;
  /** Never the key material: `{ type: 'PrivateKey', bits }`. */
  toJSON(): { type: 'PrivateKey'; bits: number };
}

/** A JWKS document as returned by `{host}/login/.well-known/jwks`. */
export interface Jwks {
  keys: Array<Record<string, unknown>>;
}

/** Verification keys: JWKS (text or object), PEM certificates (X.509 v1/v3) or SPKI public keys. */
export declare class KeySet {
  private constructor();
  /** Parses the keys once; pass the result wherever `keys` is asked for. */
  static from(keys: KeysInput): KeySet;
  /** How many keys it holds. */
  readonly size: number;
}

/** Verification keys in any form `KeySet.from` reads, or a `KeySet`. */
export type KeysInput = string | readonly string[] | Jwks | KeySet;

/** Options of `signToken`. */
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

/** Parameters of `buildTicketRequest`. */
export type TicketRequestParams = {
  /** 'soap' (default) or 'rest'. */
  transport?: Transport;
  /** The application's token (client secret). A secret. */
  applicationToken: string;
  /** The tenant, e.g. `Cust12345`. */
  contextIdentifier: string;
  /** `signToken`'s result. */
  signedSystemToken: string;
} & (
  | {
      /** The SuperOffice environment whose login host answers. */
      environment: Environment;
      baseUrl?: undefined;
    }
  | {
      /** Another login host instead (a stand-in): `https://host[:port]`. */
      baseUrl: string;
      environment?: undefined;
    }
);

/** A request to send with any HTTP client: plain-object headers, a string body. */
export interface HttpRequestDescriptor {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** The ticket exchange request (SOAP or REST) for `fetch` or any HTTP client; every value escaped. */
export declare function buildTicketRequest(params: TicketRequestParams): HttpRequestDescriptor;

/** Anything with a status, headers and a body read as text: a `fetch` Response after `await res.text()`. */
export interface HttpResponseInput {
  status: number;
  headers?:
    | Record<string, string | string[] | undefined>
    | {
        /** A header's value, or null (a fetch `Headers`). */
        get(name: string): string | null;
      };
  body: string | Uint8Array;
}

/** Options of `parseTicketResponse`. */
export interface ParseTicketResponseOptions {
  /** SuperOffice's Federated Login certificate (PEM) or the environment's JWKS. */
  keys: KeysInput;
  /** Defaults to the current time. */
  now?: TimeInput;
  /** Clock-skew allowance, 0 to 3600; default 60. */
  leewaySeconds?: number;
  /** When given, the token's tenant (`ctx`) must equal it. */
  contextIdentifier?: string;
  /**
   * Secrets this call holds (application token, system user token, client secret, refresh token):
   * replaced by `[redacted]` wherever server text (a fault, an error message) is copied into the error.
   */
  redact?: string[];
}

/** A token's claims as JSON gives them. */
export type Claims = Record<string, unknown>;

/** A validated ticket and what its JWT says about the tenant. */
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

/**
 * Parses the exchange's answer (SOAP or REST), validates its JWT (RS256, `iss` `SuperOffice AS`,
 * `aud` `spn:` + serial, `exp`/`nbf`/`iat`, tenant) and returns the ticket.
 */
export declare function parseTicketResponse(
  response: HttpResponseInput,
  options: ParseTicketResponseOptions,
): TicketResult;

/** Options of `validateToken`. */
export interface ValidateTokenOptions {
  /** The keys that may have signed the token. */
  keys: KeysInput;
  /** When given, `iss` must equal it. */
  issuer?: string;
  /** When given, `aud` must be or contain it; without it, a token that names an audience is refused. */
  audience?: string;
  /** When given, `nonce` must equal it. */
  nonce?: string;
  /** Defaults to the current time. */
  now?: TimeInput;
  /** Clock-skew allowance, 0 to 3600; default 60. */
  leewaySeconds?: number;
}

/** Validates any RS256 JWT (signature, exp/nbf/iat, and iss/aud/nonce when given) and returns its claims. */
export declare function validateToken(jwt: string, options: ValidateTokenOptions): Claims;

/** The headers of a call to the tenant's REST API with a ticket. */
export interface AuthHeaders {
  Authorization: string;
  'SO-AppToken': string;
  [name: string]: string;
}

/** `{ Authorization: 'SOTicket ' + ticket, 'SO-AppToken': applicationToken }`. */
export declare function authHeaders(ticket: string, applicationToken: string): AuthHeaders;

/** Where the id_token's issuer comes from: a named environment (`https://{env}.superoffice.com`) or given exactly. */
export type IssuerInput =
  | { environment: Environment; issuer?: undefined }
  | { issuer: string; environment?: undefined };

/** Options of `parseSuperIdToken`. */
export type ParseSuperIdTokenOptions = {
  /** The environment's JWKS or pinned keys. */
  keys: KeysInput;
  /** The application's client id: the token's `aud`. */
  clientId: string;
  /** The nonce sent in the authorization request; checked when given. */
  nonce?: string;
  /** Defaults to the current time. */
  now?: TimeInput;
  /** Clock-skew allowance, 0 to 3600; default 60. */
  leewaySeconds?: number;
  /**
   * Default false. True: a token without the system user token claim (the application is not a
   * system-user application, or the tenant granted it none) is ERR_JWT_CLAIM_INVALID naming the claim,
   * as onboardTenant refuses it.
   */
  requireSystemUserToken?: boolean;
} & IssuerInput;

/** The typed claims of a validated SuperIdToken (OpenID Connect id_token). Absent claims are null. */
export interface SuperIdTokenResult {
  /** `.../identity/system_token`: present for system-user applications only. A secret. */
  systemUserToken: string | null;
  /** `.../identity/ctx`, e.g. `Cust12345`. */
  contextIdentifier: string;
  email: string | null;
  upn: string | null;
  /** Decimal, whether the token wrote it as a string or a number. */
  associateId: string | null;
  isAdministrator: boolean;
  netserverUrl: string | null;
  webapiUrl: string | null;
  serial: string | null;
  claims: Claims;
}

/**
 * Validates a SuperIdToken: RS256 by `keys`, `iss` the environment's issuer (or `issuer`), `aud`
 * `clientId`, `azp` when present, `nonce` when given, `exp`/`nbf`/`iat`; requires `ctx`.
 */
export declare function parseSuperIdToken(idToken: string, options: ParseSuperIdTokenOptions): SuperIdTokenResult;

/** Parameters of `buildRefreshTokenRequest`. */
export type RefreshTokenRequestParams = {
  /** The application's client id. */
  clientId: string;
  /** The application's client secret. A secret. */
  clientSecret: string;
  /** The refresh token to redeem. A secret. */
  refreshToken: string;
  /** Sent when given; some registrations require the one the token was issued for. */
  redirectUri?: string;
} & (
  | {
      /** The SuperOffice environment whose token endpoint answers. */
      environment: Environment;
      baseUrl?: undefined;
    }
  | {
      /** Another login host instead (a stand-in): `https://host[:port]`. */
      baseUrl: string;
      environment?: undefined;
    }
);

/** The refresh-token grant: form POST to `{host}/login/common/oauth/tokens`. Its body holds secrets. */
export declare function buildRefreshTokenRequest(params: RefreshTokenRequestParams): HttpRequestDescriptor;

/** Without keys: the id_token is not read and `idToken` is null. */
export interface ParseTokenResponseOptions {
  /** Defaults to the current time; `expiresAt` is now + `expires_in`. */
  now?: TimeInput;
  /**
   * Secrets this call holds (application token, system user token, client secret, refresh token):
   * replaced by `[redacted]` wherever server text (a fault, an error message) is copied into the error.
   */
  redact?: string[];
  /** Give keys to have the id_token validated (see ParseTokenResponseWithIdTokenOptions). */
  keys?: undefined;
  /** Refused without keys: it would suggest a check that does not happen. */
  environment?: undefined;
  /** Refused without keys. */
  issuer?: undefined;
  /** Refused without keys. */
  clientId?: undefined;
  /** Refused without keys. */
  nonce?: undefined;
  /** Refused without keys. */
  leewaySeconds?: undefined;
}

/** With keys: an id_token in the response is validated like parseSuperIdToken and returned as `idToken`. */
export type ParseTokenResponseWithIdTokenOptions = {
  /** Defaults to the current time. */
  now?: TimeInput;
  /**
   * Secrets this call holds (application token, system user token, client secret, refresh token):
   * replaced by `[redacted]` wherever server text (a fault, an error message) is copied into the error.
   */
  redact?: string[];
  /** The environment's JWKS or pinned keys. */
  keys: KeysInput;
  /** The application's client id: the id_token's `aud`. */
  clientId: string;
  /** When given, the id_token's `nonce` must equal it. */
  nonce?: string;
  /** Clock-skew allowance, 0 to 3600; default 60. */
  leewaySeconds?: number;
} & IssuerInput;

/** The token endpoint's answer, read. */
export interface TokenResult {
  accessToken: string;
  tokenType: 'Bearer';
  /** now + expires_in. */
  expiresAt: Date;
  /** A new refresh token when the server rotated it: store it in place of the old one. */
  refreshToken: string | null;
  /** The validated id_token's claims; null without keys or without an id_token. */
  idToken: SuperIdTokenResult | null;
}

/** Reads the token endpoint's answer; OAuth error bodies become ERR_OAUTH_ERROR with `oauthError`. */
export declare function parseTokenResponse(
  response: HttpResponseInput,
  options?: ParseTokenResponseOptions | ParseTokenResponseWithIdTokenOptions,
): TokenResult;

// ---- the authorization request, the redirect, the code exchange ----

/** Where SuperOffice's login lives: an `environment`, or a `baseUrl` (the stand-in, a proxy). */
type LoginHost = { environment: Environment; baseUrl?: undefined } | { baseUrl: string; environment?: undefined };

/** What createAuthorizationRequest needs: the client, the redirect, and what to ask for. */
export type AuthorizationRequestParams = {
  /** The application's client id, from the developer portal. */
  clientId: string;
  /** Exactly as registered for the application; no fragment. */
  redirectUri: string;
  /** 'code' (default): the code flow with PKCE S256. 'id_token': a tenant administrator's approval of a system-user application. */
  responseType?: 'code' | 'id_token';
  /** Default 'openid'; must include openid. */
  scope?: string;
  /** Default: the endpoint's ('query') for code, 'form_post' for id_token ('query' refused there). */
  responseMode?: 'query' | 'fragment' | 'form_post';
  /** OpenID Connect prompt: 'login', 'consent', 'select_account', 'none'. */
  prompt?: string;
  /** A SuperID user name to prefill. */
  loginHint?: string;
  /** The tenant, sent as acr_values=tenant:{contextIdentifier}: skips the tenant choice. */
  contextIdentifier?: string;
  /** Only 'S256' (the default for code). */
  codeChallengeMethod?: 'S256';
} & LoginHost;

/** The URL to send the browser to, and the values to keep (server side) until the redirect. */
export interface AuthorizationRequest {
  /** Send the browser here. */
  url: string;
  /** Keep until the redirect: parseAuthorizationResponse checks it. 256 random bits, base64url. */
  state: string;
  /** Keep until the tokens: the id_token must carry it. */
  nonce: string;
  /** Keep (server side) for the code exchange; null for responseType 'id_token'. */
  codeVerifier: string | null;
}

/** Builds the authorize URL with fresh state, nonce and PKCE verifier from the platform CSPRNG. */
export declare function createAuthorizationRequest(params: AuthorizationRequestParams): AuthorizationRequest;

/**
 * What arrived at the redirect URL: a query string or fragment (with or without `?`/`#`), a form_post
 * body as text, a URLSearchParams, a URL (its query), or a parsed form body.
 */
export type AuthorizationResponseInput =
  | string
  | SearchParamsLike
  | { search: string; searchParams: SearchParamsLike }
  | Record<string, string | readonly string[] | undefined>;

/** What the package needs of a URLSearchParams (declared here so no DOM or @types/node lib is required). */
export interface SearchParamsLike {
  /** The first value of a parameter, or null. */
  get(name: string): string | null;
  /** Every value of a parameter (more than one is refused). */
  getAll(name: string): string[];
  /** The parameters as a query string. */
  toString(): string;
}

/** What came back: the code (code flow) or the not yet validated id_token (approval). */
export type AuthorizationResponseResult = { code: string; idToken?: string } | { idToken: string; code?: undefined };

/**
 * Checks `state` (ERR_STATE_MISMATCH) and an OAuth error (ERR_OAUTH_ERROR with `oauthError`, e.g.
 * 'access_denied'), then returns the code or the (not yet validated) id_token.
 */
export declare function parseAuthorizationResponse(
  params: AuthorizationResponseInput,
  options: { state: string },
): AuthorizationResponseResult;

/** What buildAuthorizationCodeRequest needs: the client, the code, and the PKCE verifier kept. */
export type AuthorizationCodeRequestParams = {
  /** The application's client id. */
  clientId: string;
  /** The application's client secret. A secret. */
  clientSecret: string;
  /** The code from parseAuthorizationResponse. Single use. */
  code: string;
  /** The one the authorization request named. */
  redirectUri: string;
  /** From createAuthorizationRequest: 43-128 characters of A-Z a-z 0-9 - . _ ~. */
  codeVerifier: string;
} & LoginHost;

/**
 * The authorization code grant: form POST to `{host}/login/common/oauth/tokens`. Its body holds
 * secrets. Read the answer with parseTokenResponse, with `keys` and `nonce` to validate the id_token.
 */
export declare function buildAuthorizationCodeRequest(params: AuthorizationCodeRequestParams): HttpRequestDescriptor;

// ---- NetServer agents (REST by default, SOAP on request) ----

/**
 * How an agent is called: `'rest'` (the default; SuperOffice recommends it and is retiring SOAP),
 * `POST {webapiUrl}v1/Agents/{agent}/{method}` with JSON; or `'soap'`, NetServer's Services88 SOAP
 * endpoint `{netserverUrl}{agent}.svc`.
 */
export type AgentProtocol = 'rest' | 'soap';

/**
 * A parameter value: text, a number, a boolean, a Date (sent as ISO 8601 UTC), null, a nested object,
 * or an array. Over REST everything is JSON. Over SOAP only strings or only 32-bit integers are a
 * plain array (`string`/`int` items in the Serialization/Arrays namespace), and only objects are the
 * element repeated (`{ Phones: { EntityElement: [a, b] } }`); null is xsi:nil.
 */
export type AgentValue =
  | string
  | number
  | boolean
  | Date
  | null
  | AgentParameters
  | readonly string[]
  | readonly number[]
  | readonly AgentParameters[];
/** The parameters of an agent method, by name (SOAP: in the WSDL's order). */
export interface AgentParameters {
  [name: string]: AgentValue;
}

/**
 * The time zone the agent converts dates to and from. Over SOAP the TimeZone header (either field or
 * both); over REST the `SO-TimeZone` header, which carries one: an id (`261`) or a name (`NO`, `US-NY`).
 */
export interface AgentTimeZone {
  SoTimeZoneId?: number;
  SoTimeZoneLocationCode?: string;
}

/** What buildAgentRequest needs for every protocol: which agent and method, with what, and the credentials. */
export interface AgentRequestCommon {
  /** The agent's name: `Associate`, `Contact`, ... (not `ContactAgent`). */
  agent: string;
  /** `GetAssociate`, ... */
  method: string;
  /** The method's parameters. */
  parameters?: AgentParameters;
  /** The `7T:` ticket (or an `8A:` access token). */
  ticket: string;
  /** The application token (`SO-AppToken` over REST, the ApplicationToken SOAP header). A secret. */
  applicationToken: string;
  /** The optional time zone. */
  timeZone?: AgentTimeZone;
}

/** A REST agent call (the default). */
export interface RestAgentRequestParams extends AgentRequestCommon {
  /** `'rest'`, the default. */
  protocol?: 'rest';
  /** The ticket's `webapiUrl`, ending in `/api/`. */
  webapiUrl: string;
}

/** A SOAP agent call. */
export interface SoapAgentRequestParams extends AgentRequestCommon {
  /** `'soap'`. */
  protocol: 'soap';
  /** The ticket's `netserverUrl`, ending in `/Remote/Services84/` to `/Services88/`. */
  netserverUrl: string;
}

/** What buildAgentRequest needs: REST (the default) or SOAP. */
export type AgentRequestParams = RestAgentRequestParams | SoapAgentRequestParams;

/**
 * An agent call, ready for fetch. REST: POST `{webapiUrl}v1/Agents/{agent}/{method}` with a JSON body,
 * `Authorization: SOTicket`, `SO-AppToken` and (when given) `SO-TimeZone`; its headers hold secrets.
 * SOAP: POST `{netserverUrl}{agent}.svc` with SOAPAction and the WSDL's headers; its body holds secrets.
 */
export declare function buildAgentRequest(params: AgentRequestParams): HttpRequestDescriptor;

/** A REST agent's result: JSON's own types (lists are arrays, numbers numbers), null for nothing. */
export type AgentJson = string | number | boolean | null | AgentJson[] | { [name: string]: AgentJson };

/**
 * A SOAP result element as plain data: text as strings, xsi:nil as null, lists of the WSDL table as
 * arrays (whether they hold one item or many), other repeated elements as arrays.
 */
export type AgentResponseValue = string | null | AgentResponseValue[] | { [name: string]: AgentResponseValue };

/** What a REST agent answered. */
export interface RestAgentResult {
  /** The result; null for a missing entity or a void method. */
  response: AgentJson;
}

/** What a SOAP agent answered. */
export interface AgentResult {
  /** The `Response` element; null for a void method. */
  response: AgentResponseValue;
  /** The `Succeeded` header (true when absent). */
  succeeded: boolean;
  /** The `ExtraInfo` header's pairs. */
  extraInfo: Record<string, string | null>;
}

/** Options of parseAgentResponse for a REST answer. */
export interface RestAgentResponseOptions {
  /** `'rest'`, the default. */
  protocol?: 'rest';
  /** Accepted for symmetry with SOAP; REST needs neither. */
  method?: string;
  /** Accepted for symmetry with SOAP; REST needs neither. */
  agent?: string;
  /**
   * Secrets this call holds (application token, system user token, client secret, refresh token):
   * replaced by `[redacted]` wherever server text (a fault, an error message) is copied into the error.
   */
  redact?: string[];
}

/** Options of parseAgentResponse for a SOAP answer. */
export interface SoapAgentResponseOptions {
  /** `'soap'`. */
  protocol: 'soap';
  /** The method called (its `{method}Response` is read). */
  method: string;
  /** The agent called: lets the WSDL table make lists arrays whether they hold one item or many. */
  agent?: string;
  /**
   * Secrets this call holds (application token, system user token, client secret, refresh token):
   * replaced by `[redacted]` wherever server text (a fault, an error message) is copied into the error.
   */
  redact?: string[];
}

/**
 * Reads a REST agent's answer (the default): `{ response }`. An error object (400 `{ Message,
 * MessageDetail }`, a 500 error object, or such an object in a 200) is ERR_NETSERVER_EXCEPTION
 * (`exceptionType`, `friendlyText`, `serverMessage`, never a stack trace); HTTP 401/403, or an error
 * of NetServer's authentication exception type (SoSessionException), is ERR_TICKET_REJECTED.
 */
export declare function parseAgentResponse(
  response: HttpResponseInput,
  options?: RestAgentResponseOptions,
): RestAgentResult;
/**
 * Reads a SOAP agent's answer. `ExceptionInfo` is ERR_NETSERVER_EXCEPTION (`exceptionType`,
 * `friendlyText`, `serverMessage`), not retried by the client; HTTP 401/403, or an ExceptionInfo of
 * exactly one of NetServer's authentication exception types (SoSessionException), is ERR_TICKET_REJECTED.
 */
export declare function parseAgentResponse(response: HttpResponseInput, options: SoapAgentResponseOptions): AgentResult;

/** Options of parseAgentResponse, for either protocol. */
export type ParseAgentResponseOptions = RestAgentResponseOptions | SoapAgentResponseOptions;

/** Where `buildTenantStateRequest` sends the request: an environment's authentication host, or a custom base. */
export interface TenantStateRequestParams {
  /** `sod`, `stage` or `online` (`qaonline` is `stage`); give this or `baseUrl`. */
  environment?: Environment;
  /** A custom authentication host (the local stand-in, a proxy) instead of an environment. */
  baseUrl?: string;
  /** The tenant, e.g. `Cust12345`: 1 to 64 ASCII letters, digits, `-` or `_`. */
  contextIdentifier: string;
}

/** The state API request: a GET, so no body (fetch refuses one). */
export interface TenantStateRequestDescriptor {
  url: string;
  method: 'GET';
  headers: Record<string, string>;
}

/**
 * The state API request, `GET {authentication host}/api/state/{contextIdentifier}`
 * (`https://online.superoffice.com/api/state/Cust12345`). It takes no credential. The state API lives
 * on the authentication host (`sod.`, `qaonline.`, `online.`), never on a tenant's numbered host.
 */
export declare function buildTenantStateRequest(params: TenantStateRequestParams): TenantStateRequestDescriptor;

/** Options of `parseTenantState`. */
export interface TenantStateOptions {
  /** The tenant asked for: the answer must name it, exactly. */
  contextIdentifier: string;
  /** Default: the current time. A `ValidUntil` before it (or none) reads as `now`. */
  now?: Date | number;
  /** The environment the request went to: endpoints must be https on superoffice.com. */
  environment?: Environment;
  /** The custom base the request went to: endpoints on its host (its scheme, any port) are accepted too. */
  baseUrl?: string;
}

/** A tenant's state, as the state API describes it. */
export interface TenantState {
  contextIdentifier: string;
  /**
   * The tenant's root, e.g. `https://online2.superoffice.com/Cust12345` (scheme and host lower case, no
   * default port, no trailing slash); null when the tenant is not running and the answer names none.
   */
  endpoint: string | null;
  /** The REST base, e.g. `https://online2.superoffice.com/Cust12345/api/` (ending in `/`, like a ticket's `webapiUrl`); null when not named. */
  apiUrl: string | null;
  /** The state's name; an undocumented state is kept as sent (a name, or a number). */
  state: TenantStateName | string | number;
  /** The state's number (Running is 2; an undocumented number as sent); null for an undocumented name. */
  stateCode: number | null;
  /** True in Running and OnlineMaintenance: the tenant's APIs answer. */
  isRunning: boolean;
  /** When to ask again (SuperOffice's ValidUntil), never before `now`. */
  validUntil: Date;
}

/**
 * Reads the state API's answer, strictly: the size cap, no member named twice, the tenant asked for,
 * `State` by name or number, `IsRunning` agreeing with the documented states, an `Endpoint` (required
 * when running) that is https on superoffice.com or on the custom base's host and ends in the tenant,
 * an `Api` below it, `ValidUntil` an RFC 3339 time. A non-2xx status is ERR_HTTP_STATUS; anything else
 * wrong is ERR_RESPONSE_MALFORMED.
 */
export declare function parseTenantState(response: HttpResponseInput, options: TenantStateOptions): TenantState;

/** What client.fetch takes: fetch's init (method, headers, body, signal, ...). */
export interface AuthorizedFetchInit {
  method?: string;
  /** Request headers: a plain object, `[name, value]` pairs, or a Headers-like object with `forEach`. */
  headers?: Record<string, string> | Array<[string, string]> | HeadersLike;
  /** A stream body is not sent twice: after a 401 the call rejects with ERR_TICKET_REJECTED (`retried: false`). */
  body?: unknown;
  /** Default AbortSignal.timeout(timeoutMs). */
  signal?: unknown;
  /**
   * Default 'manual'. Redirects are never followed with the credential: 'follow' is refused
   * (ERR_INVALID_ARGUMENT), since fetch forwards custom headers such as SO-AppToken across origins. A
   * 3xx comes back as the response; follow it yourself, without the credential, if you must.
   */
  redirect?: 'manual' | 'error';
  [option: string]: unknown;
}

/**
 * A relative string resolves against the tenant's webapiUrl. Every URL must lie under the tenant's own
 * base: the origin of its webapiUrl or netserverUrl and the path `/{contextIdentifier}/`, compared after
 * URL normalisation (dot segments); percent-encoded separators and dots (`%2f`, `%5c`, `%2e`, `%25`) and
 * user info are refused. Anything else is ERR_INVALID_ARGUMENT and nothing is sent.
 */
export type AuthorizedFetchInput = string | { readonly href: string };

/** What the clients' fetch needs of a Headers object. */
export interface HeadersLike {
  /** Calls `callback` for each header. */
  forEach(callback: (value: string, name: string) => void): void;
}

/** Options of callAgent. */
export interface CallAgentOptions {
  /** `'rest'` (the default) or `'soap'`. */
  protocol?: AgentProtocol;
  /** The optional time zone (REST: one of the two fields). */
  timeZone?: AgentTimeZone;
}

/** What webApiOptions needs of your axios: the module's default export (`import axios from 'axios'`), version 1 or later. */
export interface AxiosLike {
  /** Makes the instance the options carry. */
  create(...config: never[]): unknown;
  /** Thrown for a status axios's `validateStatus` refuses. */
  AxiosError: new (
    ...args: never[]
  ) => Error;
}

/** Options for @superoffice/webapi's agents: `new ContactAgent(options)`. */
export interface WebApiAgentOptions<Instance = unknown> {
  /** The tenant's web API (the ticket's `webapiUrl`), ending in `/api/`. */
  baseUrl: string;
  /** An instance of your axios that adds the tenant's ticket to each request and retries once on 401. */
  axios: Instance;
}

// ---- client (owned by the client engineer) ----

/**
 * A store for tickets shared by several processes (Redis, memcached, DynamoDB, a database row).
 * Values are plain JSON records (the ticket, its claims, when it was obtained); keys name the
 * application and the tenant. Only get/set/delete are required. The optional methods make a fleet
 * exchange once per tenant (lock/unlock, extendLock) and let invalidate compare atomically
 * (deleteIfTicket); a store without them still works, with per-process coalescing only.
 *
 * The contract, for anyone writing a store:
 * - Anything `get` returns is untrusted. The client checks the format, tenant and age, and an
 *   authentication tag it wrote with the record (HMAC under a key derived from the application token,
 *   which the store never sees), and that the record's webapiUrl and netserverUrl are https on
 *   SuperOffice's domain (or the baseUrl's host name, any port; http only on loopback). A broken value is a miss; a
 *   forged, altered or foreign record, or one naming another host, is a miss reported to
 *   onBackgroundError (ERR_RESPONSE_MALFORMED, `during: 'cache.get'`). Keep values as JSON; member order
 *   may change.
 *   Return `undefined` for a miss. Throwing or hanging is survived: every call is bounded by a timeout,
 *   reported to onBackgroundError, and the client works locally for a few seconds before trying again.
 * - `set(key, value, ttlMs)`: keep the value at least ttlMs if you can (it may serve past the client's
 *   ticketTtlSeconds while SuperOffice is down); dropping it earlier costs one exchange, nothing else.
 * - `lock(key, ttlMs)`: take the lock for `key` only if nobody holds it, and make it expire by itself
 *   after ttlMs (a crashed holder must block nobody for longer). Resolve to a fresh random token, or to
 *   null when it is held. `unlock(key, token)` releases it only while it still holds that token
 *   (compare and delete in one step). `extendLock(key, token, ttlMs)` likewise renews it; the holder
 *   calls it while its exchange runs. Give lock and unlock together or neither.
 * - `deleteIfTicket(key, ticket)`: delete the record only if its `ticket` field still equals
 *   `ticket`, in one step; resolve to whether it was deleted.
 */
export interface TicketCache {
  /** The stored value, or `undefined` for a miss. */
  get(key: string): Promise<unknown> | unknown;
  /** `ttlMs`: how long the entry is useful; a store may drop it after that. */
  set(key: string, value: unknown, ttlMs: number): Promise<void> | void;
  /** Remove the entry (a miss afterwards). */
  delete(key: string): Promise<void> | void;
  /** Atomic: delete only while the record's `ticket` is `ticket`. */
  deleteIfTicket?(key: string, ticket: string): Promise<boolean>;
  /** Take the lock for `key` for ttlMs (it expires by itself): a random token, or null when held. */
  lock?(key: string, ttlMs: number): Promise<string | null>;
  /** Release the lock only while it holds `token`. */
  unlock?(key: string, token: string): Promise<boolean>;
  /** Renew the lock for ttlMs only while it holds `token`. */
  extendLock?(key: string, token: string, ttlMs: number): Promise<boolean>;
}

/** Where a background error happened: a refresh, or a call to the cache. */
export type BackgroundErrorDuring =
  | 'refresh'
  | 'cache.get'
  | 'cache.set'
  | 'cache.delete'
  | 'cache.deleteIfTicket'
  | 'cache.lock'
  | 'cache.extendLock'
  | 'cache.unlock';

/** Options of `createMemoryCache`. */
export interface MemoryCacheOptions {
  /** Clock for entry expiry, epoch ms; default Date.now (the client passes its own to its default cache). */
  now?: () => number;
}

/** What the client needs of a fetch Response (declared here so no DOM or @types/node lib is required). */
export interface FetchResponseLike {
  status: number;
  headers: unknown;
  body?: unknown;
  /** The body as text. */
  text(): Promise<string>;
}

/** `globalThis.fetch` or a replacement (proxy, logging, tests). */
// biome-ignore lint/suspicious/noExplicitAny: any fetch's own init type (RequestInit, undici's, a test double's) must be accepted
export type FetchLike = (url: string, init: any) => Promise<FetchResponseLike>;

/** Options of `createSystemUserClient`. */
export type SystemUserClientOptions = {
  /** The application's token (client secret). A secret. */
  applicationToken: string;
  /** PEM PKCS#1, PEM PKCS#8, .NET `<RSAKeyValue>` XML, or a parsed PrivateKey. Parsed once. */
  privateKey: string | PrivateKey;
  /** Default `globalThis.fetch`. Called with `redirect: 'manual'` (a 3xx answer is ERR_FETCH_FAILED) and a timeout signal. */
  fetch?: FetchLike;
  /** The exchange's transport: 'soap' (default) or 'rest'. */
  transport?: Transport;
  /** Pinned keys (JWKS, PEM certificates, SPKI). Without them `{host}/login/.well-known/jwks` is fetched. */
  keys?: KeysInput;
  /** Least time between two JWKS fetches after a token names an unknown key; default 30000. */
  jwksCooldownMs?: number;
  /**
   * Greatest age of a fetched JWKS, counted from its fetch; older, it is fetched again before the next
   * validation (a key SuperOffice withdrew stops being trusted). Default 600000 (10 minutes, as jose's
   * cacheMaxAge); at least 1000, or Infinity to refetch only when a token names an unknown key.
   */
  jwksMaxAgeMs?: number;
  /** Clock-skew allowance for the JWT; default 60. */
  leewaySeconds?: number;
  /** Per request; default 10000. */
  timeoutMs?: number;
  /**
   * How long a ticket is used after it was obtained, or after its last proven use: default 18000 (5 h),
   * at most 21600. A ticket only handed out (authHeaders, getTicket) keeps this fixed life; one that
   * client.fetch or callAgent saw accepted slides to that use plus this (written to the cache at most
   * every 5 minutes), and is renewed at the latest 24 hours after it was obtained. When its replacement
   * cannot be had (SuperOffice down), it is still handed out until 6 hours after its last use, minus a
   * minute.
   */
  ticketTtlSeconds?: number;
  /** Renew in the background this long before ticketTtlSeconds ends; default 300. */
  refreshAheadSeconds?: number;
  /** Default: an in-memory store. */
  cache?: TicketCache;
  /** System user tokens per tenant, for calls that give only a contextIdentifier. */
  systemUserTokens?: Record<string, string> | ((contextIdentifier: string) => string | Promise<string>);
  /** Clock in epoch milliseconds; default Date.now. Governs ticket ages and back-off (waits are real time). */
  now?: () => number;
  /**
   * Errors no caller sees: a failed refresh while a usable ticket is still handed out (stale-if-error),
   * a cache that failed or timed out (the client then works locally).
   */
  onBackgroundError?: (error: unknown, info: { contextIdentifier: string; during: BackgroundErrorDuring }) => void;
  /**
   * Every decision the client makes, as it makes it (see `ClientEvent`); the same events are published
   * on Node's diagnostics_channel as `superoffice-auth:{name}`. A throwing or rejecting hook is ignored.
   */
  onEvent?: (event: ClientEvent) => void;
  /** The application's client id: the audience of SuperIdTokens. Needed by onboardTenant. */
  clientId?: string;
} & (
  | {
      /** The SuperOffice environment: login host, JWKS and id_token issuer follow from it. */
      environment: Environment;
      baseUrl?: undefined;
      issuer?: undefined;
    }
  | {
      /** Another login host instead (a stand-in): `https://host[:port]`. */
      baseUrl: string;
      environment?: undefined;
      /** The id_token issuer onboardTenant expects (a stand-in's); needed by onboardTenant with baseUrl. */
      issuer?: string;
    }
);

/** A tenant, and the system user token to use when no ticket is cached. */
export interface TenantParams {
  /** The tenant, e.g. `Cust12345`. */
  contextIdentifier: string;
  /** Needed only when no ticket is cached and the client has no systemUserTokens for the tenant. */
  systemUserToken?: string;
}

/** A ticket from the client, with when it was obtained. */
export interface ClientTicketResult extends TicketResult {
  /** When this ticket was obtained; it is cached until ticketTtlSeconds after then, or after its last proven use. */
  obtainedAt: Date;
}

/** Options of `SystemUserClient.onboardTenant`. */
export interface OnboardTenantOptions {
  /** The nonce sent in the authorization request; checked when given (recommended). */
  nonce?: string;
  /** With state, the first argument is the redirect's body rather than the id_token alone. */
  state?: undefined;
}

/** onboardTenant given what the approval posted to the redirect URL, and the state and nonce kept. */
export interface OnboardTenantRedirectOptions {
  /** The state kept from createOnboardingRequest. */
  state: string;
  /** The nonce kept from createOnboardingRequest: the SuperIdToken must carry it. */
  nonce: string;
}

/** What createOnboardingRequest needs: the redirect URL, and optionally the tenant and a hint. */
export interface OnboardingRequestParams {
  /** Where the approval is posted; exactly as registered. */
  redirectUri: string;
  /** Skips the tenant choice (acr_values=tenant:{contextIdentifier}). */
  contextIdentifier?: string;
  /** A SuperID user name to prefill. */
  loginHint?: string;
  /** OpenID Connect prompt: `login`, `consent`, `select_account`, `none`. */
  prompt?: string;
  /** Default 'form_post'. */
  responseMode?: 'form_post' | 'fragment';
}

/** What to store for a newly approved tenant; `systemUserToken` is always present here. */
export interface OnboardedTenant extends SuperIdTokenResult {
  systemUserToken: string;
}

/** The ticket client: exchanges, caches and refreshes system user tickets per tenant. */
export interface SystemUserClient {
  /**
   * Validates the SuperIdToken from a tenant administrator's approval (the client's keys, issuer,
   * audience = clientId, nonce) and returns what to store for the tenant. ERR_JWT_CLAIM_INVALID
   * (claim `.../system_token`) when it carries no system user token. The client remembers the token,
   * so getTicket({ contextIdentifier }) works right after.
   */
  onboardTenant(idToken: string, options?: OnboardTenantOptions): Promise<OnboardedTenant>;
  /**
   * The same from what the approval posted to the redirect URL (raw form body, URLSearchParams or a
   * parsed body): state checked (ERR_STATE_MISMATCH), a declined approval is ERR_OAUTH_ERROR, the
   * id_token validated with the nonce.
   */
  onboardTenant(redirect: AuthorizationResponseInput, options: OnboardTenantRedirectOptions): Promise<OnboardedTenant>;
  /**
   * The approval URL (responseType id_token, form_post) for this client's environment and clientId,
   * with the state and nonce to keep for onboardTenant. Needs the clientId option.
   */
  createOnboardingRequest(params: OnboardingRequestParams): {
    url: string;
    state: string;
    nonce: string;
    codeVerifier: null;
  };
  /** From the cache when fresh; otherwise one exchange per tenant however many callers wait. */
  getTicket(params: TenantParams): Promise<ClientTicketResult>;
  /** `Authorization: SOTicket ...` and `SO-AppToken` for the tenant's web API. */
  authHeaders(params: string | TenantParams): Promise<AuthHeaders>;
  /**
   * Forget the tenant's ticket (after a 401). With `ticket`, only if that is still the cached one.
   * Resolves to true when something was removed.
   */
  invalidate(contextIdentifier: string, options?: { ticket?: string }): Promise<boolean>;
  /**
   * fetch with the tenant's ticket headers, only under the tenant's own base (see AuthorizedFetchInput;
   * after a move, its new one); redirects are not followed (see AuthorizedFetchInit.redirect). At most
   * one retry: a 401 drops the ticket (if still cached) and the request is sent once more with a fresh
   * one (one exchange however many callers); a 421 (the tenant moved) asks the state API once per
   * tenant and sends it again to the new endpoint with the same ticket. A second 401 or 421 is
   * returned; so is a 429. A 503 or a refused connection while the tenant is not running is
   * ERR_TENANT_UNAVAILABLE. An answer past authentication slides the ticket's life.
   */
  fetch(
    params: string | TenantParams,
    input: AuthorizedFetchInput,
    init?: AuthorizedFetchInit,
  ): Promise<FetchResponseLike>;
  /**
   * Calls a NetServer agent with the tenant's ticket, over REST unless `protocol: 'soap'`; the same
   * rules as fetch (one retry, after ERR_TICKET_REJECTED or a 421), a second 421 is ERR_HTTP_STATUS, a
   * 429 ERR_HTTP_STATUS with `retryAfterMs`.
   */
  callAgent(
    params: string | TenantParams,
    agent: string,
    method: string,
    parameters?: AgentParameters,
    options?: CallAgentOptions & { protocol?: 'rest' },
  ): Promise<RestAgentResult>;
  /** Calls a NetServer SOAP agent with the tenant's ticket; the same retry rule on ERR_TICKET_REJECTED. */
  callAgent(
    params: string | TenantParams,
    agent: string,
    method: string,
    parameters: AgentParameters | undefined,
    options: CallAgentOptions & { protocol: 'soap' },
  ): Promise<AgentResult>;
  /**
   * Options for @superoffice/webapi's agents (`new ContactAgent(options)`) on this tenant's tickets:
   * the tenant's web API base URL and an instance of your axios (`{ axios }`, so this package needs
   * none) whose requests go through `fetch` above: the ticket added to each, a 401 retried once with a
   * fresh ticket, only the tenant's origin. Pass these options to every agent you make: one made
   * without options falls back to the first options that package saw (its global).
   */
  webApiOptions<A extends AxiosLike>(
    params: string | TenantParams,
    options: { axios: A },
  ): Promise<WebApiAgentOptions<ReturnType<A['create']>>>;
  /**
   * The tenant's state from SuperOffice's state API (where it lives, whether it runs), cached until its
   * `validUntil` (at least 30 s, at most 5 min) and shared through the cache.
   */
  tenantState(contextIdentifier: string): Promise<TenantState>;
  /**
   * Acts on a verified tenant status notification (what parseTenantStatusNotification returns): Delete
   * and Suspend drop the tenant's ticket everywhere and mark it unavailable (calls fail fast with
   * ERR_TENANT_UNAVAILABLE, no exchange, until the state API says it runs again); Resume and Upgrade
   * clear the mark; other change types change nothing.
   */
  applyTenantStatus(notification: TenantStatusChange): Promise<'suspended' | 'deleted' | 'resumed' | 'ignored'>;
  /** Settings only; never a secret. */
  toJSON(): Record<string, unknown>;
}

/** What applyTenantStatus reads of a verified tenant status notification. */
export interface TenantStatusChange {
  /** The tenant the notification names. */
  contextIdentifier: string;
  /** SuperOffice's ChangeType number: Upgrade 0, BackupRestored 1, Suspend 2, Resume 3, Delete 4. */
  changeTypeCode: number;
  /** Its name, when known. */
  changeType?: string | number;
}

/** Creates the ticket client. The key is parsed once, here; nothing is fetched until a ticket is asked for. */
export declare function createSystemUserClient(options: SystemUserClientOptions): SystemUserClient;

/** The default ticket store: process memory. */
export declare function createMemoryCache(options?: MemoryCacheOptions): TicketCache;

/** The names of the clients' events: `superoffice-auth:{name}` is each one's diagnostics channel. */
export type ClientEventName =
  /** An exchange (or refresh-token grant) is sent: `reason` 'miss', 'refresh' or 'refresh-token'. */
  | 'exchange:start'
  /** It finished: `durationMs`, `outcome` 'ok' or 'error', and `code`/`status` of a failure. */
  | 'exchange:end'
  /** A caller was served a cached ticket: `ageMs`. */
  | 'cache:hit'
  /** A ticket past its cache life was served because its replacement could not be had: `ageMs`, `usableUntil`. */
  | 'ticket:stale'
  /** The tenant refused a ticket (401 or a security ExceptionInfo): `via`, `status`, `retried`. */
  | 'ticket:rejected'
  /** A proven use extended a cached ticket's life: `expiresAt`, `usableUntil`. */
  | 'ticket:slid'
  /** The state API answered or failed: `reason`, `durationMs`, `outcome`, `state`, `stateCode`, `isRunning`, `validUntil`. */
  | 'tenant:state'
  /** The tenant answered 421 and the state API named another endpoint: `from` and `to` (origins). */
  | 'tenant:moved'
  /** A call or exchange was stopped because the tenant is not running: `state`, `stateCode`, `validUntil`. */
  | 'tenant:unavailable'
  /** SuperOffice asked for a wait (429/503 with Retry-After): `where` ('exchange', 'held', 'tenant'), `status`, `retryAfterMs`, `until`. */
  | 'rate-limited'
  /** The key set was fetched: `durationMs`, `outcome`. */
  | 'jwks:fetch';

/**
 * One decision of a client. Fields beyond `name` and `source` depend on the event (see
 * `ClientEventName`); durations are milliseconds, instants are Dates. Never a ticket, token, key,
 * secret, header or body.
 */
export interface ClientEvent {
  /** What happened. */
  name: ClientEventName;
  /** Which client: 'system-user' or 'refresh-token'. */
  source: 'system-user' | 'refresh-token';
  /** The tenant, where there is one. */
  contextIdentifier?: string | null;
  /** How long it took, in milliseconds. */
  durationMs?: number;
  /** 'ok' or 'error'. */
  outcome?: 'ok' | 'error';
  /** The error code of a failure. */
  code?: string;
  /** An HTTP status. */
  status?: number;
  [field: string]: unknown;
}

/** Every `ClientEventName`, to subscribe to each `superoffice-auth:{name}` diagnostics channel. */
export declare const EVENT_NAMES: readonly ClientEventName[];

/** Options of `createRefreshTokenClient`. */
export type RefreshTokenClientOptions = {
  /** The application's client id. */
  clientId: string;
  /** The application's client secret (the application token). */
  clientSecret: string;
  /** The stored refresh token (a secret). Omit it to start from a code with fromAuthorizationCode. */
  refreshToken?: string;
  /** Sent with each refresh when given; some registrations require the one the token was issued for. */
  redirectUri?: string;
  /** Default `globalThis.fetch`. Called with `redirect: 'manual'` (a 3xx answer is ERR_FETCH_FAILED) and a timeout signal. */
  fetch?: FetchLike;
  /** Per request; default 10000. */
  timeoutMs?: number;
  /** Refresh this long before the access token expires (at most half its lifetime); default 300. */
  refreshAheadSeconds?: number;
  /** Awaited with the new refresh token when the server rotates it, before the access token is handed out. */
  onRefreshToken?: (refreshToken: string) => void | Promise<void>;
  /** Every decision the client makes (refreshes, rejected tokens, JWKS fetches, the tenant followed); also on diagnostics_channel. */
  onEvent?: (event: ClientEvent) => void;
  /**
   * Origins (`https://online2.superoffice.com`) fetch may send the access token to while no validated
   * id_token names the tenant's URLs. Default: SuperOffice's hosts (https, superoffice.com and its
   * subdomains), or the baseUrl's host name (any port). With such an id_token, its tenant base rules instead.
   */
  allowedOrigins?: string[];
  /** Clock in epoch milliseconds; default Date.now. */
  now?: () => number;
} & (
  | {
      /** Default true: an id_token in the answer is validated (JWKS or pinned keys) and returned by getToken(). */
      validateIdToken?: true;
      /** Pinned keys instead of fetching `{host}/login/.well-known/jwks`. */
      keys?: KeysInput;
      /** Least time between two JWKS fetches after a token names an unknown key; default 30000. */
      jwksCooldownMs?: number;
      /**
       * Greatest age of a fetched JWKS, counted from its fetch; older, it is fetched again before the
       * next validation (a key SuperOffice withdrew stops being trusted). Default 600000 (10 minutes, as
       * jose's cacheMaxAge); at least 1000, or Infinity to refetch only when a token names an unknown key.
       */
      jwksMaxAgeMs?: number;
      /** Clock-skew allowance for the id_token; default 60. */
      leewaySeconds?: number;
    }
  | {
      validateIdToken: false;
      keys?: undefined;
      leewaySeconds?: undefined;
      jwksCooldownMs?: number;
      jwksMaxAgeMs?: number;
    }
) &
  (
    | {
        /** The SuperOffice environment: token endpoint, JWKS and id_token issuer follow from it. */
        environment: Environment;
        baseUrl?: undefined;
        issuer?: undefined;
      }
    | {
        /** Another login host instead (a stand-in): `https://host[:port]`. */
        baseUrl: string;
        environment?: undefined;
        /** The id_token issuer; required with baseUrl unless validateIdToken is false. */
        issuer?: string;
      }
  );

/** The current access token and what came with it. */
export interface RefreshedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: Date;
  /** The validated id_token's claims, or null. */
  idToken: SuperIdTokenResult | null;
  obtainedAt: Date;
}

/** What fromAuthorizationCode needs: the code, and the values kept from createAuthorizationRequest. */
export interface AuthorizationCodeParams {
  /** From parseAuthorizationResponse. */
  code: string;
  /** Kept from createAuthorizationRequest. */
  codeVerifier: string;
  /** The one the authorization request named; default the client's redirectUri option. */
  redirectUri?: string;
  /** Kept from createAuthorizationRequest: the id_token must carry it (recommended). */
  nonce?: string;
}

export interface CodeExchangeResult extends RefreshedToken {
  /** The first refresh token: store it (it was handed to onRefreshToken too). A secret. */
  refreshToken: string;
}

/** The access-token client of a hybrid application: one refresh token, cached access tokens. */
export interface RefreshTokenClient {
  /**
   * Trades the code for the first refresh token and an access token (cached). Only on a client created
   * without refreshToken, once.
   */
  fromAuthorizationCode(params: AuthorizationCodeParams): Promise<CodeExchangeResult>;
  /** Cached until refreshAheadSeconds before expiry; then one refresh, however many callers wait. */
  getAccessToken(): Promise<string>;
  /** `{ Authorization: 'Bearer ...' }`. */
  authHeaders(): Promise<{ Authorization: string }>;
  /** The access token with its expiry and the validated id_token's claims. */
  getToken(): Promise<RefreshedToken>;
  /** Forget the access token (after a 401); with `accessToken`, only if it is still the cached one. */
  invalidate(options?: { accessToken?: string }): Promise<boolean>;
  /**
   * fetch with `Authorization: Bearer`. A relative input resolves against the id_token's webapiUrl, and
   * every URL must lie under that tenant's base (see AuthorizedFetchInput); without such an id_token,
   * absolute URLs only, on allowedOrigins. A 401 drops the access token and the request is sent once
   * more after one refresh. Redirects are not followed (see AuthorizedFetchInit.redirect).
   */
  fetch(input: AuthorizedFetchInput, init?: AuthorizedFetchInit): Promise<FetchResponseLike>;
  /** Settings only; never a secret. */
  toJSON(): Record<string, unknown>;
}

/** Creates the access-token client. Nothing is fetched until a token is asked for. */
export declare function createRefreshTokenClient(options: RefreshTokenClientOptions): RefreshTokenClient;

/** A raw HTTP request body: the exact bytes (or their text) as received, never a parsed object. */
export type RawBody = string | Uint8Array | ArrayBuffer;

/** A Fetch `Headers`, as far as the receiver reads it. */
export interface FetchHeadersLike extends HeadersLike {
  /** The value, duplicates joined by `, `; null when absent. */
  get(name: string): string | null;
}

/** A request's headers: a Fetch `Headers`, or Node's `req.headers` (names in any case, values may be arrays). */
export type IncomingHeaders = FetchHeadersLike | Record<string, string | readonly string[] | undefined>;

/** Options of `verifyWebhook`. */
export interface VerifyWebhookOptions {
  /** The request body exactly as received. A parsed object is refused: the signature covers the bytes. */
  body: RawBody;
  /** The request's headers; `X-SuperOffice-Signature` and `X-SuperOffice-EventId` are read. */
  headers: IncomingHeaders;
  /** The webhook's shared secret, or up to 8 (old and new while one replaces another). A secret. */
  secret: string | readonly string[];
  /** When given (1 to 604800), an event whose Timestamp is further than this from `now` is refused. */
  maxAgeSeconds?: number;
  /** Defaults to the current time. */
  now?: TimeInput;
}

/**
 * A verified webhook event (SuperOffice's WebhookPayload, docs/en/automation/webhook/notification.md
 * of SuperOfficeDocs/superoffice-docs).
 */
export interface WebhookEvent {
  /** `EventId`: the same on each retry of one delivery cycle. */
  eventId: string;
  /** `Timestamp`: when the event occurred. */
  timestamp: Date;
  /** `Event`, e.g. `contact.changed`, `person.deleted`, `webhook123.stopped`'s `webhook.stopped`, or `test`. */
  event: string;
  /** `Entity`, e.g. `contact`; absent on webhook state events. */
  entity?: string;
  /** `PrimaryKey`: the affected row's id. */
  primaryKey: number;
  /** `ContextIdentifier`: the tenant, e.g. `Cust12345` (`Default` on-site). */
  contextIdentifier: string;
  /** `ChangedByAssociateId`: the user who made the change. */
  changedByAssociateId: number;
  /** `WebhookName`: the name the webhook was registered with. */
  webhookName: string;
  /** `Changes`: the database field names the change touched. */
  changes: string[];
  /** `FieldValues`, on newer payloads: some of the row's values. */
  fieldValues?: Record<string, unknown>;
  /** The registration's `test` event: answer 200 and do nothing else. */
  test: boolean;
  /** Every member as SuperOffice sent it, including ones this package does not name. */
  payload: Record<string, unknown>;
}

/**
 * Verifies a webhook delivery: `X-SuperOffice-Signature` must be the base64 HMAC-SHA256 of the exact
 * body bytes under `secret` (compared in constant time), then the event is read strictly. Refusals are
 * ERR_WEBHOOK_INVALID with a `reason`; a body over 256 KiB is ERR_RESPONSE_TOO_LARGE.
 */
export declare function verifyWebhook(options: VerifyWebhookOptions): WebhookEvent;

/** SuperOffice's CustomerStateChangeNotificationType: Upgrade (0), BackupRestored (1), Suspend (2), Resume (3), Delete (4). */
export type TenantChangeTypeName = 'Upgrade' | 'BackupRestored' | 'Suspend' | 'Resume' | 'Delete';

/** Options of `parseTenantStatusNotification`. */
export type TenantStatusNotificationOptions = {
  /** SuperOffice's federated-login certificate (PEM) or the environment's JWKS. */
  keys: KeysInput;
  /** The application's client id: when given, the Token's `aud` must name it. A Token naming an audience is refused without it. */
  clientId?: string;
  /** Defaults to the current time. */
  now?: TimeInput;
  /** Clock-skew allowance, 0 to 3600; default 60. */
  leewaySeconds?: number;
} & IssuerInput;

/** A verified tenant status notification (docs/en/apps/tenant-status/notifications.md). */
export interface TenantStatusNotification {
  /** What happened, by name; a number SuperOffice has not documented is kept as the number. */
  changeType: TenantChangeTypeName | number;
  /** `ChangeType` as sent. */
  changeTypeCode: number;
  /** `ContextIdentifier`, the tenant; the Token names the same one. */
  contextIdentifier: string;
  /** `VersionName`, e.g. `Release 10.5`, when sent. */
  versionName?: string;
  /** `FileVersion`, when sent. */
  fileVersion?: string;
}

/**
 * Reads a tenant status notification's raw body and validates its Token (RS256 by `keys`, signature
 * first, the environment's issuer, expiry, `aud` when `clientId` is given, and the tenant claim equal to
 * `ContextIdentifier`). Only the Token is signed: confirm a Delete with the state API before destroying data.
 */
export declare function parseTenantStatusNotification(
  body: RawBody,
  options: TenantStatusNotificationOptions,
): TenantStatusNotification;

/**
 * Where the receiver remembers the EventIds it handled, so a repeated delivery is not handled twice.
 * `createMemoryWebhookEventStore()` (one process) or `createRedisWebhookEventStore()` from
 * `superoffice-auth/redis` (a fleet).
 */
export interface WebhookEventStore {
  /** Claims `eventId` for `ttlMs`: true when no one claimed it within its window (it is claimed now). */
  claim(eventId: string, ttlMs: number): boolean | Promise<boolean>;
  /** Gives a claim back: handling the event failed, so SuperOffice's retry must be handled. */
  release(eventId: string): void | Promise<void>;
}

/** Options of `createMemoryWebhookEventStore`. */
export interface MemoryWebhookEventStoreOptions {
  /** Most EventIds kept (the oldest claim goes first when full); default 10000. */
  maxEntries?: number;
  /** Clock in epoch ms; default Date.now. */
  now?: () => number;
}

/** An in-process WebhookEventStore with bounded memory. */
export interface MemoryWebhookEventStore extends WebhookEventStore {
  claim(eventId: string, ttlMs: number): boolean;
  release(eventId: string): void;
  /** EventIds currently remembered. */
  readonly size: number;
}

/** Creates an in-process WebhookEventStore (the receiver's default). */
export declare function createMemoryWebhookEventStore(
  options?: MemoryWebhookEventStoreOptions,
): MemoryWebhookEventStore;

/** What `onError` is told about a refused or failed request. */
export interface WebhookErrorContext {
  /** Where it happened: verifying a webhook or a notification, the event store, or your handler. */
  stage: 'webhook' | 'tenantStatus' | 'eventStore' | 'onEvent' | 'onTenantStatus';
  /** The delivery's EventId, once verified. */
  eventId?: string;
  /** The notification's tenant, once verified. */
  contextIdentifier?: string;
}

/**
 * Options of `createWebhookHandler` and `handleWebhookRequest`. Give `secret` and `onEvent` for
 * webhooks, `onTenantStatus` with `keys` and `environment` (or `issuer`) for tenant status
 * notifications, or both (one URL can take both: a webhook carries X-SuperOffice headers, a
 * notification none).
 */
export type WebhookHandlerOptions = {
  /** The webhook's shared secret, or a list while one replaces another. A secret. */
  secret?: string | readonly string[];
  /** Called once per verified event (not for the test event, not for a repeat); the answer waits for it. Throwing answers 500, and SuperOffice retries. */
  onEvent?: (event: WebhookEvent) => unknown;
  /** Called once per verified tenant status notification; throwing answers 500. */
  onTenantStatus?: (notification: TenantStatusNotification) => unknown;
  /** Told about every refusal and failure (the answer does not wait for it, and its errors are ignored). */
  onError?: (error: unknown, context: WebhookErrorContext) => void;
  /** For notifications: SuperOffice's federated-login certificate (PEM) or the environment's JWKS. */
  keys?: KeysInput;
  /** For notifications: the environment whose issuer the Token must name. */
  environment?: Environment;
  /** For notifications: the exact issuer instead of an environment's (a stand-in). */
  issuer?: string;
  /** For notifications: when given, the Token's `aud` must name it. */
  clientId?: string;
  /** When given, events whose Timestamp is further than this from now are refused (401). */
  maxAgeSeconds?: number;
  /** Where handled EventIds are remembered; default an in-process store. Share one on Redis in a fleet. */
  eventStore?: WebhookEventStore;
  /** How long a handled EventId is remembered, 1 to 604800; default 3600 (at least maxAgeSeconds). */
  duplicateWindowSeconds?: number;
  /** Clock in epoch ms; default Date.now. */
  now?: () => number;
};

/** A Node `http` request as the handler reads it (Express and Connect requests are ones). */
export interface NodeIncomingRequest {
  /** Only POST is handled; anything else is answered 405. */
  method?: string;
  /** Lower-case names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** Set by a body parser: a Buffer (express.raw) or a string (express.text) is used; an object is refused. */
  body?: unknown;
  /** Node's event subscription: the body arrives as `data` events. */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** A Node `http` response as the handler writes it. */
export interface NodeServerResponse {
  /** When already true, the handler writes nothing. */
  readonly headersSent: boolean;
  /** The status and headers of the answer. */
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  /** The answer's short text body. */
  end(body?: string): unknown;
}

/**
 * The receiver: `(req, res, next?)` for node:http, Express and Connect (answers itself, never calls
 * `next`), or called with a Fetch API `Request`, a Promise of the `Response`.
 */
export interface WebhookHandler {
  /** As a node:http request listener or Express/Connect middleware. */
  (req: NodeIncomingRequest, res: NodeServerResponse, next?: (error?: unknown) => void): Promise<void>;
  /** With a Fetch API Request: the Response to send. */
  (request: Request): Promise<Response>;
}

/**
 * A receiver for what SuperOffice posts to you. Answers 200 to the test event and to verified events
 * (after `onEvent` resolves) and to a repeat of a handled EventId, 401 when verification fails, 400 to
 * a body that is not SuperOffice's JSON, 413 over 256 KiB, 405 to anything but POST, 500 when your
 * handler throws.
 */
export declare function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler;

/**
 * The receiver for a Fetch API `Request` (Workers, Deno, Bun): one handler, and so one duplicate
 * window, per options object. Keep the options object in module scope.
 */
export declare function handleWebhookRequest(request: Request, options: WebhookHandlerOptions): Promise<Response>;
