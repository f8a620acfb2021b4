// ESM entry: the package is one CommonJS module underneath, so both entries share one wasm instance.
import core from './index.cjs';

export const {
  SuperOfficeAuthError,
  ERROR_CODES,
  PrivateKey,
  KeySet,
  signToken,
  buildTicketRequest,
  parseTicketResponse,
  validateToken,
  authHeaders,
  parseSuperIdToken,
  buildRefreshTokenRequest,
  parseTokenResponse,
  createAuthorizationRequest,
  parseAuthorizationResponse,
  buildAuthorizationCodeRequest,
  buildAgentRequest,
  parseAgentResponse,
  buildTenantStateRequest,
  parseTenantState,
  verifyWebhook,
  parseTenantStatusNotification,
  createSystemUserClient,
  createMemoryCache,
  createRefreshTokenClient,
  EVENT_NAMES,
  createWebhookHandler,
  handleWebhookRequest,
  createMemoryWebhookEventStore,
} = core;
export default core;
