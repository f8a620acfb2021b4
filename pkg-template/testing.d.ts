// Types for `superoffice-auth/testing`: a local stand-in for SuperOffice's login (system-user tickets,
// the authorize endpoint, the OAuth token endpoint's code and refresh grants, SuperIdTokens), a tenant
// web API, and NetServer SOAP agents at {baseUrl}/{ctx}/Remote/Services88/{Agent}.svc
// (Associate.GetAssociate, Associate.GetAssociateList, Contact.GetContactEntity) that check the
// ApplicationToken and Credentials/Ticket headers.
// Node only (node:http, node:crypto): Deno, Bun and Worker code talks to it over HTTP from a Node process.

/**
 * A local stand-in for SuperOffice, for your tests (Node only).
 *
 * @module superoffice-auth/testing
 */

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
  /** The ticket refused as if revoked: agents answer ExceptionInfo SoSecurityException, the tenant API 401. */
  | 'ticketRejected';

/** Which of the stand-in's endpoints a fault applies to. */
export type MockEndpoint =
  | 'authenticate'
  | 'soap'
  | 'rest'
  | 'jwks'
  | 'openidConfiguration'
  | 'authorize'
  | 'tokens'
  | 'api'
  | 'netserver'
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
  /** Default 'any' for latency, httpError, drop and redirect; 'netserver' for ticketRejected; 'authenticate' (SOAP and REST) otherwise. */
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
}

/** Requests per tenant. */
export interface MockTenantStats {
  authenticate: number;
  soap: number;
  rest: number;
  api: number;
  netserver: number;
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
  api: number;
  /** Requests to the NetServer agents. */
  netserver: number;
  other: number;
  unauthorized: number;
  ticketsIssued: number;
  accessTokensIssued: number;
  idTokensIssued: number;
  /** Authorization codes the authorize endpoint issued. */
  codesIssued: number;
  tenants: Record<string, MockTenantStats>;
}

/** A running stand-in: its URL, its registrations, faults to inject and statistics. */
export interface MockSuperOffice {
  readonly baseUrl: string;
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
  }): MockSuperOffice;
  /** Authenticate answers the tenant with this AuthorizeErrorCode from now on ('active' to restore). */
  setTenantStatus(contextIdentifier: string, status: 'active' | AuthorizeErrorName, applicationToken?: string): void;
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
  /** Clock in epoch milliseconds; default Date.now. */
  now?: () => number;
}

/**
 * Starts a local stand-in for SuperOffice's login (ticket exchange over SOAP and REST, JWKS, token
 * endpoint, SuperIdTokens) and a tenant API, on 127.0.0.1, built on node:crypto only. Node only.
 */
export function startMockSuperOffice(options?: MockOptions): Promise<MockSuperOffice>;

/** Each fault type with a one-line description. */
export const FAULTS: Readonly<Record<MockFaultType, string>>;
