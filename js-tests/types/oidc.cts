// The CommonJS side of the SuperIdToken and refresh-token declarations.
import auth = require('superoffice-auth');

const claims: auth.SuperIdTokenResult = auth.parseSuperIdToken('jwt', {
  environment: 'sod',
  clientId: 'c',
  keys: '...',
});
const client: auth.RefreshTokenClient = auth.createRefreshTokenClient({
  environment: 'sod',
  clientId: 'c',
  clientSecret: 's',
  refreshToken: 'r',
});
const result: auth.TokenResult = auth.parseTokenResponse({ status: 200, body: '' });
const request: auth.HttpRequestDescriptor = auth.buildRefreshTokenRequest({
  environment: 'sod',
  clientId: 'c',
  clientSecret: 's',
  refreshToken: 'r',
});
void [claims, client, result, request];
