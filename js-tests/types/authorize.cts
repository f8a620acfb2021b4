// Type-checked with tsc --module nodenext: the authorization door through require (CommonJS).
import auth = require('superoffice-auth');

const request: auth.AuthorizationRequest = auth.createAuthorizationRequest({
  environment: 'stage',
  clientId: 'c',
  redirectUri: 'https://a/cb',
});
const result: auth.AuthorizationResponseResult = auth.parseAuthorizationResponse(`code=x&state=${request.state}`, {
  state: request.state,
});
const exchange: auth.HttpRequestDescriptor = auth.buildAuthorizationCodeRequest({
  baseUrl: 'http://127.0.0.1:1',
  clientId: 'c',
  clientSecret: 's',
  code: result.code ?? '',
  redirectUri: 'https://a/cb',
  codeVerifier: request.codeVerifier ?? '',
});
void exchange;
