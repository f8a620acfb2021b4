// The client and the stand-in through require(), type-checked.
import auth = require('superoffice-auth');
import testing = require('superoffice-auth/testing');

const client: auth.SystemUserClient = auth.createSystemUserClient({
  environment: 'sod',
  applicationToken: 'a',
  privateKey: 'k',
});
const started: Promise<testing.MockSuperOffice> = testing.startMockSuperOffice();
void [client, started];
