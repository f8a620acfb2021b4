'use strict';
// JWT validation for any RS256 token, on the key layer.

const { wasm, LIMITS, capped, callCore, coreOptions } = require('./wasm.cjs');
const { KeySet, withKeySet } = require('./keys.cjs');
const { requireString, optionalString, readOptions, toEpochMs, toLeeway } = require('../arguments.cjs');

const VALIDATE_OPTIONS = ['keys', 'issuer', 'audience', 'nonce', 'now', 'leewaySeconds'];

/** Validates any RS256 JWT and returns its claims. */
function validateToken(jwt, options) {
  requireString(jwt, 'jwt');
  capped(jwt, LIMITS.tokenBytes, 'ERR_JWT_MALFORMED', 'JWT exceeds 16 KiB');
  options = readOptions(options, VALIDATE_OPTIONS);
  const nowMs = toEpochMs(options.now);
  const leeway = toLeeway(options.leewaySeconds);
  const issuer = optionalString(options.issuer, 'issuer');
  const audience = optionalString(options.audience, 'audience');
  const nonce = optionalString(options.nonce, 'nonce');
  const json = withKeySet(options.keys, (keySet) =>
    callCore(() =>
      wasm.validateToken(
        coreOptions({ token: jwt, nowMs, leewaySeconds: leeway, issuer, audience, nonce }),
        KeySet.handle(keySet),
      ),
    ),
  );
  return JSON.parse(json);
}

module.exports = { validateToken };
