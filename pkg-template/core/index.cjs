'use strict';
// The core module: the wasm wrapper and the pure functions, in the order the package exports them.
// The clients (../client/) build on this module; none of them reaches the public facade (../index.cjs).

const { SuperOfficeAuthError } = require('../errors.cjs');
const { ERROR_CODES } = require('./wasm.cjs');
const { PrivateKey, KeySet } = require('./keys.cjs');
const { signToken, buildTicketRequest, parseTicketResponse, authHeaders } = require('./ticket.cjs');
const { validateToken } = require('./jwt.cjs');
const oauth = require('./oauth.cjs');
const { buildAgentRequest, parseAgentResponse } = require('./netserver.cjs');
const { buildTenantStateRequest, parseTenantState } = require('./tenant.cjs');
const { verifyWebhook, parseTenantStatusNotification } = require('./callbacks.cjs');

module.exports = {
  SuperOfficeAuthError,
  ERROR_CODES,
  PrivateKey,
  KeySet,
  signToken,
  buildTicketRequest,
  parseTicketResponse,
  validateToken,
  authHeaders,
  parseSuperIdToken: oauth.parseSuperIdToken,
  buildRefreshTokenRequest: oauth.buildRefreshTokenRequest,
  parseTokenResponse: oauth.parseTokenResponse,
  createAuthorizationRequest: oauth.createAuthorizationRequest,
  parseAuthorizationResponse: oauth.parseAuthorizationResponse,
  buildAuthorizationCodeRequest: oauth.buildAuthorizationCodeRequest,
  buildAgentRequest,
  parseAgentResponse,
  buildTenantStateRequest,
  parseTenantState,
  verifyWebhook,
  parseTenantStatusNotification,
};
