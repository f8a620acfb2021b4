// Types for `superoffice-auth/testing`: a local stand-in for SuperOffice's system-user login.

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
  | 'redirect';

export type MockEndpoint = 'authenticate' | 'soap' | 'rest' | 'jwks' | 'openidConfiguration' | 'api' | 'any';

export type AuthorizeErrorName =
  | 'Revoked'
  | 'InvalidRedirectUrl'
  | 'Expired'
  | 'Denied'
  | 'NeedsReapproval'
  | 'InvalidTimestamp'
  | 'InvalidSignature';

export interface MockFaultOptions {
  /** How many requests the fault applies to; default: until removed. */
  times?: number;
  /** Default 'any' for latency, httpError, drop and redirect; 'authenticate' (SOAP and REST) otherwise. */
  endpoint?: MockEndpoint;
  /** Only requests for this tenant (login endpoints and tenant API). */
  contextIdentifier?: string;
  /** latency: milliseconds. */
  ms?: number;
  /** httpError: HTTP status, default 500. */
  status?: number;
  /** deny: the AuthorizeErrorCode name put in ErrorMessage. */
  reason?: AuthorizeErrorName;
  /** expiredJwt: how far exp lies in the past, in seconds (default 3600). */
  ageSeconds?: number;
  /** soapFault: faultstring. */
  faultString?: string;
}

export interface MockTenantStats {
  authenticate: number;
  soap: number;
  rest: number;
  api: number;
}

export interface MockStats {
  authenticate: number;
  soap: number;
  rest: number;
  jwks: number;
  openidConfiguration: number;
  api: number;
  other: number;
  unauthorized: number;
  ticketsIssued: number;
  tenants: Record<string, MockTenantStats>;
}

export interface MockSuperOffice {
  readonly baseUrl: string;
  /** publicKey: SPKI/PKCS#1 PEM, a private key PEM (its public half is used) or a node:crypto KeyObject. */
  registerApplication(options: { applicationToken: string; publicKey: string | object }): MockSuperOffice;
  addTenant(options: {
    contextIdentifier: string;
    systemUserToken: string;
    /** Required unless exactly one application is registered. */
    applicationToken?: string;
    serial?: string;
    isAdministrator?: boolean;
    companyName?: string;
    associateId?: number;
    /** 'active' (default) or an AuthorizeErrorCode name that Authenticate then answers with. */
    status?: 'active' | AuthorizeErrorName;
  }): MockSuperOffice;
  setTenantStatus(contextIdentifier: string, status: 'active' | AuthorizeErrorName, applicationToken?: string): void;
  /** Returns a function that removes the fault. */
  injectFault(type: MockFaultType, options?: MockFaultOptions): () => void;
  clearFaults(): void;
  /** Returns the new kid. */
  rotateSigningKey(options?: { keepOld?: boolean }): string;
  signingPublicKeyPem(): string;
  revokeTicket(ticket: string): boolean;
  revokeTickets(contextIdentifier: string): number;
  /** A snapshot; read it again for fresh numbers. */
  readonly stats: MockStats;
  resetStats(): void;
  close(): Promise<void>;
}

export interface MockOptions {
  /** 0 (default) picks a free port. The server listens on 127.0.0.1 only. */
  port?: number;
  /** Accepted difference between the signed token's timestamp and the clock; default 300. */
  timestampWindowSeconds?: number;
  /** Lifetime of issued JWTs; default 300. */
  jwtLifetimeSeconds?: number;
  /** Sliding lifetime of tickets at the tenant API; default 21600 (6 hours). */
  ticketLifetimeSeconds?: number;
  /** Clock in epoch milliseconds; default Date.now. */
  now?: () => number;
}

export function startMockSuperOffice(options?: MockOptions): Promise<MockSuperOffice>;

export const FAULTS: Readonly<Record<MockFaultType, string>>;
