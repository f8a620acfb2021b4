'use strict';
// Onboarding a tenant: the URL that asks its administrator to approve the application, and the
// SuperIdToken the approval sends back, validated (same keys, JWKS age and cooldown as tickets), whose
// system user token the client then remembers.
//
// Given the saved `state` too, onboardTenant's first argument is what the approval posted to the
// redirect URL (the raw form body, a URLSearchParams or a parsed body): state is checked, a declined
// approval is ERR_OAUTH_ERROR, and the id_token in it is validated with the nonce, which is then
// required. So onboarding is two calls: createOnboardingRequest({ redirectUri }) (or
// createAuthorizationRequest with responseType 'id_token') for the URL, onboardTenant(body, { state,
// nonce }) for the post.

const core = require('../core/index.cjs');
const { fail, invalidArgument } = require('./io.cjs');
const { requireString, optionalString, readOptions } = require('../arguments.cjs');

const REQUEST_PARAMS = ['redirectUri', 'contextIdentifier', 'loginHint', 'prompt', 'responseMode'];
const ONBOARD_OPTIONS = ['state', 'nonce'];

/**
 * @param {object} o
 * @param {{ environment?: string, baseUrl?: string }} o.where the client's login host (one of the two)
 * @param {string | undefined} o.clientId
 * @param {string | undefined} o.issuer the SuperIdToken's issuer when the client has a baseUrl
 * @param {number | undefined} o.leewaySeconds
 * @param {object} o.keySource
 * @param {() => number} o.now
 * @param {(contextIdentifier: string, systemUserToken: string) => void} o.remember
 */
function createOnboarding({ where, clientId, issuer, leewaySeconds, keySource, now, remember }) {
  // The issuer a SuperIdToken must name: the environment's (the core knows it), or the issuer option.
  const issuerWhere = () => {
    if (where.environment !== undefined) return { environment: where.environment };
    if (issuer !== undefined) return { issuer };
    throw invalidArgument('onboardTenant needs the issuer option when the client is given a baseUrl');
  };

  async function onboardTenant(input, params) {
    if (clientId === undefined) throw invalidArgument('onboardTenant needs the clientId option');
    const p = readOptions(params, ONBOARD_OPTIONS, { message: 'onboardTenant options must be an object' });
    const nonce = optionalString(p.nonce, 'nonce');
    let idToken = input;
    if (!(p.state === undefined || p.state === null)) {
      // The redirect itself: state first, then an error, then the id_token it carries.
      requireString(p.state, 'state');
      if (nonce === undefined)
        throw invalidArgument('nonce is required with state: keep both from the authorization request');
      const response = core.parseAuthorizationResponse(input, { state: p.state });
      if (response.idToken === undefined) {
        throw fail(
          'ERR_RESPONSE_MALFORMED',
          'the approval carries no id_token (was the request made with responseType id_token?)',
        );
      }
      idToken = response.idToken;
    }
    requireString(idToken, 'idToken');
    const expected = issuerWhere();
    const keySet = await keySource.current();
    const result = await keySource.parseWith(keySet, (set) =>
      core.parseSuperIdToken(idToken, {
        ...expected,
        keys: set,
        clientId,
        now: now(),
        ...(nonce !== undefined ? { nonce } : {}),
        ...(leewaySeconds !== undefined ? { leewaySeconds } : {}),
        // A genuine token without a system user token (not a system-user application, or the tenant did
        // not grant it one) leaves nothing to store: the core's error for it.
        requireSystemUserToken: true,
      }),
    );
    remember(result.contextIdentifier, result.systemUserToken);
    return result;
  }

  function createOnboardingRequest(params) {
    if (clientId === undefined) throw invalidArgument('createOnboardingRequest needs the clientId option');
    readOptions(params, REQUEST_PARAMS, { required: true, message: 'createOnboardingRequest needs { redirectUri }' });
    const { codeVerifier, ...request } = core.createAuthorizationRequest({
      ...where,
      clientId,
      responseType: 'id_token',
      ...params,
    });
    void codeVerifier;
    return request;
  }

  return { createOnboardingRequest, onboardTenant };
}

module.exports = { createOnboarding };
