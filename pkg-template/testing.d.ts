// Types for `superoffice-auth/testing`: a local stand-in for SuperOffice's login (system-user tickets,
// the authorize endpoint, the OAuth token endpoint's code and refresh grants, SuperIdTokens), a tenant
// web API, and NetServer's agents (Associate.GetAssociate, Associate.GetAssociateList,
// Contact.GetContactEntity) over REST at {baseUrl}/{ctx}/api/v1/Agents/{Agent}/{Method} and over SOAP
// at {baseUrl}/{ctx}/Remote/Services88/{Agent}.svc (checking the ApplicationToken and
// Credentials/Ticket headers); the tenant state API, tenant hosts that move (421 Misdirected Request)
// and tenants that are down.
// Node only (node:http, node:crypto): Deno, Bun and Worker code talks to it over HTTP from a Node process.

/**
 * A local stand-in for SuperOffice, for your tests (Node only).
 *
 * @module superoffice-auth/testing
 */

import type { TenantStateName } from './index.js';

/** What `injectFault` can make the stand-in do wrong (FAULTS describes each). */
export type MockFaultType =
  | 'latency'
  | 'httpError'
  | 'soapFault'
  | 'malformed'
  | 'expiredJwt'
  | 'badSignature'
  | 'deny'
  | 'noTicket'
  | 'drop'
  | 'redirect'
  /** The ticket refused as if revoked: SOAP agents answer ExceptionInfo SoSessionException, REST agents and the tenant API 401. */
  | 'ticketRejected'
  /** An agent call fails with `exceptionType` and `message`: a SOAP agent answers ExceptionInfo (HTTP 200, Succeeded false), a REST agent 500 with an error object. */
  | 'agentException'
  /** 429 Too Many Requests with Retry-After (`retryAfter` seconds, default 30, or an HTTP date with `retryAfterDate`); default at the exchange. */
  | 'rateLimit';

/** Which of the stand-in's endpoints a fault applies to. */
export type MockEndpoint =
  | 'authenticate'
  | 'soap'
  | 'rest'
  | 'jwks'
  | 'openidConfiguration'
  | 'authorize'
  | 'tokens'
  /** The tenant state API, GET {baseUrl}/api/state/{contextIdentifier}. */
  | 'state'
  | 'api'
  | 'agents'
  | 'netserver'
  | 'restAgents'
  | 'any';

/** SuperOffice's AuthorizeErrorCode names, as a denied exchange carries them. */
export type AuthorizeErrorName =
  | 'Revoked'
  | 'InvalidRedirectUrl'
  | 'Expired'
  | 'Denied'
  | 'NeedsReapproval'
  | 'InvalidTimestamp'
  | 'InvalidSignature';

/** Options of `injectFault`. */
export interface MockFaultOptions {
  /** How many requests the fault applies to; default: until removed. */
  times?: number;
  /** Default 'any' for latency, httpError, drop and redirect; 'agents' (SOAP and REST agents) for ticketRejected and agentException; 'authenticate' (SOAP and REST) otherwise (rateLimit too). */
  endpoint?: MockEndpoint;
  /** Only requests for this tenant (login endpoints and tenant API). */
  contextIdentifier?: string;
  /** latency: milliseconds. */
  ms?: number;
  /** httpError: HTTP status, default 500. */
  status?: number;
  /** deny: the AuthorizeErrorCode name put in ErrorMessage (at 'authorize': the person declines, error=access_denied). */
  reason?: AuthorizeErrorName;
  /** expiredJwt: how far exp lies in the past, in seconds (default 3600). */
  ageSeconds?: number;
  /** soapFault: faultstring. */
  faultString?: string;
  /** rateLimit (default 30) and httpError (default none): the Retry-After header, in seconds. */
  retryAfter?: number;
  /** rateLimit, httpError: write Retry-After as an HTTP date (now + retryAfter on the stand-in's clock). */
  retryAfterDate?: boolean;
  /** agentException: the ExceptionType, default 'ArgumentException'. */
  exceptionType?: string;
  /** agentException: the Message (and FriendlyText), default 'Unknown ticket id 5' (a support ticket). */
  message?: string;
}

/** Options of `sendWebhook`. */
export interface MockWebhookOptions {
  /** The receiver's URL (http:). */
  url: string;
  /** The webhook's shared secret; without it the delivery is unsigned, as for a webhook registered without one. */
  secret?: string;
  /** `Event`; default `contact.changed`. */
  event?: string;
  /** `Entity`; default the event name's first part. */
  entity?: string;
  /** `PrimaryKey`; default 1. */
  primaryKey?: number;
  /** `ContextIdentifier`; default `Cust12345` (`Default` for the test event). */
  contextIdentifier?: string;
  /** `ChangedByAssociateId`; default 5. */
  changedByAssociateId?: number;
  /** `WebhookName`; default `stand-in webhook`. */
  webhookName?: string;
  /** `Changes`: database field names. */
  changes?: string[];
  /** `FieldValues`, sent when given. */
  fieldValues?: Record<string, unknown>;
  /** `EventId` of the first cycle; default a random GUID. */
  eventId?: string;
  /** `Timestamp` in epoch ms; default the stand-in's clock. */
  timestamp?: number;
  /** The registration's test event (`Event` test, `X-Hook-Test: true`, an Eventid header unlike the body's). */
  test?: boolean;
  /** The exact body to send and sign instead of the JSON the stand-in would write. */
  body?: string;
  /** Most attempts, 1 to 20; default 7. */
  attempts?: number;
  /** Waits before attempts 2, 3, ...; default SuperOffice's 1 s and 4 s within a cycle, 10 s between cycles. */
  delaysMs?: number[];
  /** Per attempt; default 10000. */
  timeoutMs?: number;
}

/** What `sendWebhook` did. */
export interface MockWebhookDelivery {
  /** Whether an attempt was answered 200. */
  delivered: boolean;
  /** The webhook's state afterwards: `TooManyErrors` when every attempt failed. */
  state: 'Active' | 'TooManyErrors';
  /** Each attempt's EventId and answer status (0: no answer). */
  attempts: { eventId: string; status: number }[];
  /** The last body sent. */
  body: string;
  /** Its signature, when a secret was given. */
  signature?: string;
}

/** Options of `notifyTenantStatus`. */
export interface MockTenantStatusOptions {
  /** The receiver's State Change URL (http:). */
  url: string;
  /** The tenant, in the body and the Token. */
  contextIdentifier: string;
  /** Upgrade, BackupRestored, Suspend, Resume, Delete, or a number. */
  changeType: 'Upgrade' | 'BackupRestored' | 'Suspend' | 'Resume' | 'Delete' | number;
  /** `VersionName`. */
  versionName?: string;
  /** `FileVersion`. */
  fileVersion?: string;
  /** Put in the Token's `aud` when given. */
  clientId?: string;
  /** Claims to add or replace in the Token (undefined removes one). */
  claims?: Record<string, unknown>;
  /** Default 10000. */
  timeoutMs?: number;
}

/** The receiver's answer to a notification, and the Token sent. */
export interface MockNotificationResult {
  /** HTTP status (0: no answer). */
  status: number;
  /** The answer's body. */
  body: string;
  /** The Token the notification carried. */
  token: string;
}

/** Requests per tenant. */
export interface MockTenantStats {
  authenticate: number;
  soap: number;
  rest: number;
  /** State API lookups of the tenant. */
  state: number;
  api: number;
  /** SOAP and REST agent calls together. */
  agents: number;
  netserver: number;
  restAgents: number;
  /** Tenant calls answered 421 (a host that does not serve the tenant). */
  misdirected: number;
  /** Requests answered 429 by a rateLimit fault. */
  rateLimited: number;
  /** Tenant calls answered 503 (the tenant is not running). */
  unavailable: number;
}

/** Request counts since the start or the last `resetStats()`. */
export interface MockStats {
  authenticate: number;
  soap: number;
  rest: number;
  jwks: number;
  openidConfiguration: number;
  /** Requests to /login/common/oauth/authorize. */
  authorize: number;
  /** Requests to /login/common/oauth/tokens. */
  tokens: number;
  /** Requests to the state API. */
  state: number;
  api: number;
  /** Requests to the agents, SOAP and REST together. */
  agents: number;
  /** Requests to the SOAP agents ({ctx}/Remote/Services88/{Agent}.svc). */
  netserver: number;
  /** Requests to the REST agents ({ctx}/api/v1/Agents/{Agent}/{Method}). */
  restAgents: number;
  other: number;
  unauthorized: number;
  /** Tenant calls answered 421 Misdirected Request. Node's fetch (undici) repeats a request once on a 421, so one call counts twice. */
  misdirected: number;
  /** Requests answered 429 by a rateLimit fault. */
  rateLimited: number;
  /** Tenant calls answered 503 because the tenant is not running. */
  unavailable: number;
  ticketsIssued: number;
  accessTokensIssued: number;
  idTokensIssued: number;
  /** Authorization codes the authorize endpoint issued. */
  codesIssued: number;
  /** Webhook delivery attempts sendWebhook made. */
  webhooksSent: number;
  /** Tenant status notifications notifyTenantStatus posted. */
  notificationsSent: number;
  tenants: Record<string, MockTenantStats>;
}

/** A running stand-in: its URL, its registrations, faults to inject and statistics. */
export interface MockSuperOffice {
  /** The authentication host: login endpoints and the state API (and the tenants, without tenantHosts). */
  readonly baseUrl: string;
  /** The tenant hosts' base URLs (option tenantHosts); `[baseUrl]` when baseUrl serves the tenants too. */
  readonly hosts: string[];
  /** `iss` of the id_tokens it issues: the `issuer` option, or baseUrl. */
  readonly issuer: string;
  /**
   * publicKey: SPKI/PKCS#1 PEM, a private key PEM (its public half is used) or a node:crypto KeyObject.
   * clientId: also register the application as an OAuth client whose secret is the application token.
   */
  registerApplication(options: {
    applicationToken: string;
    publicKey: string | object;
    clientId?: string;
    redirectUris?: string[];
  }): MockSuperOffice;
  /**
   * An OAuth client for the authorize and token endpoints and id_tokens. With `redirectUris`, the
   * authorize endpoint accepts only those (exactly); without, any.
   */
  registerClient(options: { clientId: string; clientSecret: string; redirectUris?: string[] }): MockSuperOffice;
  /**
   * The SuperIdToken an administrator's approval sends: iss, aud = clientId, nonce, SuperOffice's claims,
   * and system_token when the client's application is approved for the tenant (unless systemToken: false).
   * `claims` adds or replaces claims; a value of undefined removes one.
   */
  issueSuperIdToken(options: {
    contextIdentifier: string;
    clientId: string;
    nonce?: string;
    systemToken?: boolean;
    claims?: Record<string, unknown>;
  }): string;
  /** A refresh token for the tenant; `rotate`: every refresh answers with a new one and retires the old. */
  issueRefreshToken(options: {
    clientId: string;
    contextIdentifier: string;
    rotate?: boolean;
    lifetimeSeconds?: number;
    redirectUri?: string;
  }): string;
  /** The token endpoint then answers invalid_grant for it. */
  revokeRefreshToken(refreshToken: string): boolean;
  /** The token endpoint then answers invalid_grant for it, as for an expired token. */
  expireRefreshToken(refreshToken: string): boolean;
  /** The tenant API then answers 401 for it. */
  revokeAccessToken(accessToken: string): boolean;
  /** Adds a tenant (and, unless systemUser is false, its system user token for the registered application). */
  addTenant(options: {
    contextIdentifier: string;
    /** Required unless systemUser is false. */
    systemUserToken?: string;
    /** Required unless exactly one application is registered. */
    applicationToken?: string;
    serial?: string;
    isAdministrator?: boolean;
    companyName?: string;
    associateId?: number;
    /** 'active' (default) or an AuthorizeErrorCode name that Authenticate then answers with. */
    status?: 'active' | AuthorizeErrorName;
    /** false: the tenant approved no system-user application and serves the OAuth flows only. */
    systemUser?: boolean;
    /** The index of the tenant host that serves it (option tenantHosts); default 0. */
    host?: number;
  }): MockSuperOffice;
  /** Authenticate answers the tenant with this AuthorizeErrorCode from now on ('active' to restore). */
  setTenantStatus(contextIdentifier: string, status: 'active' | AuthorizeErrorName, applicationToken?: string): void;
  /**
   * Moves the tenant to another tenant host (`to`, an index into `hosts`; default the next one), as
   * SuperOffice moves tenants to balance load. Its old host answers 421 Misdirected Request ("Wrong
   * subdomain used to access tenant") from then on, the state API names the new endpoint, new tickets
   * and id_tokens carry the new URLs, and tickets already issued stay valid there. Needs tenantHosts >= 2.
   * Returns the new endpoint.
   */
  moveTenant(contextIdentifier: string, options?: { to?: number }): string;
  /**
   * Puts the tenant in a state the state API then reports: a documented name, or a number (an
   * undocumented one too, with `isRunning`). While it is not running (every state but Running and
   * OnlineMaintenance) its REST API and NetServer agents answer 503 and the exchange is denied.
   * `validForSeconds`: ValidUntil from now (default: the stateValidSeconds option).
   */
  setTenantState(
    contextIdentifier: string,
    state: MockTenantStateName | number,
    options?: { validForSeconds?: number; isRunning?: boolean },
  ): void;
  /** The tenant's current endpoint (`{host}/{contextIdentifier}`); its web API and agents are below it. */
  tenantEndpoint(contextIdentifier: string): string;
  /** Returns a function that removes the fault. */
  injectFault(type: MockFaultType, options?: MockFaultOptions): () => void;
  /** Removes every injected fault. */
  clearFaults(): void;
  /** Returns the new kid. */
  rotateSigningKey(options?: { keepOld?: boolean }): string;
  /** The public key (SPKI PEM) of the stand-in's current JWT signing key: pin it as `keys`. */
  signingPublicKeyPem(): string;
  /** The tenant API then answers 401 for this ticket. */
  revokeTicket(ticket: string): boolean;
  /** The tenant API then answers 401 for every ticket of the tenant; returns how many. */
  revokeTickets(contextIdentifier: string): number;
  /**
   * Delivers a webhook event to `url` as SuperOffice does (http: only): JSON written indented, headers
   * `X-Superoffice-Event`, `X-Superoffice-Eventid` and, with `secret`, `X-Superoffice-Signature` (the
   * base64 HMAC-SHA256 of the body bytes, computed with node:crypto). A non-200 answer is tried again:
   * three attempts a cycle with the same EventId, a new EventId each cycle, up to `attempts` (7).
   */
  sendWebhook(options: MockWebhookOptions): Promise<MockWebhookDelivery>;
  /**
   * Posts a tenant status notification `{ ChangeType, ContextIdentifier, VersionName, FileVersion,
   * Token }` to `url` (http: only); the Token is signed with the stand-in's signing key (its JWKS and
   * `signingPublicKeyPem()`), `iss` the stand-in's issuer, the tenant in the `ctx` claim.
   */
  notifyTenantStatus(options: MockTenantStatusOptions): Promise<MockNotificationResult>;
  /** A snapshot; read it again for fresh numbers. */
  readonly stats: MockStats;
  /** Sets every count back to zero. */
  resetStats(): void;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Options of `startMockSuperOffice`. */
export interface MockOptions {
  /** 0 (default) picks a free port. The server listens on 127.0.0.1 only. */
  port?: number;
  /** Accepted difference between the signed token's timestamp and the clock; default 300. */
  timestampWindowSeconds?: number;
  /** Lifetime of issued JWTs; default 300. */
  jwtLifetimeSeconds?: number;
  /** Sliding lifetime of tickets at the tenant API; default 21600 (6 hours). */
  ticketLifetimeSeconds?: number;
  /** expires_in of access tokens from the token endpoint; default 3600. */
  accessTokenLifetimeSeconds?: number;
  /** How long an authorization code can be exchanged; default 60. */
  codeLifetimeSeconds?: number;
  /** id_tokens' iat as a digit string, as SuperOffice writes it (default true); false: a number. */
  idTokenIatAsString?: boolean;
  /** `iss` of id_tokens; default the stand-in's base URL (e.g. 'https://sod.superoffice.com' to test environments). */
  issuer?: string;
  /**
   * Where tickets and id_tokens say the tenants' services are (`{tenantBaseUrl}/{ctx}/api/`); default
   * the stand-in's base URL. A client configured with an environment sends credentials only to
   * SuperOffice's hosts, so to test one, name such a host here and route it to the stand-in in `fetch`.
   */
  tenantBaseUrl?: string;
  /** Clock in epoch milliseconds; default Date.now. */
  now?: () => number;
  /**
   * Numbered tenant hosts (0..9), each on its own port, beside the authentication host (baseUrl), as
   * SuperOffice serves tenants from `online2.`, `app.` ... and login from `online.`. A tenant call on
   * the authentication host, or on a host that does not serve the tenant, answers 421. Default 0: baseUrl
   * serves the tenants too (no 421s), as before.
   */
  tenantHosts?: number;
  /** The state API's ValidUntil, in seconds from now; default 300. */
  stateValidSeconds?: number;
}

/** The tenant states SuperOffice documents (the state API's `State`): the package's own list. */
export type MockTenantStateName = TenantStateName;

/**
 * Starts a local stand-in for SuperOffice's login (ticket exchange over SOAP and REST, JWKS, token
 * endpoint, SuperIdTokens) and a tenant API, on 127.0.0.1, built on node:crypto only. Node only.
 */
export function startMockSuperOffice(options?: MockOptions): Promise<MockSuperOffice>;

/** Each fault type with a one-line description. */
export const FAULTS: Readonly<Record<MockFaultType, string>>;
