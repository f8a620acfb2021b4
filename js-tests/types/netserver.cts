// NetServer agents through require(), type-checked.
import auth = require('superoffice-auth');

const request: auth.HttpRequestDescriptor = auth.buildAgentRequest({
  netserverUrl: 'https://sod.superoffice.com/Cust1/Remote/Services88/',
  agent: 'Associate',
  method: 'GetAssociate',
  parameters: { AssociateId: 5 },
  ticket: '7T:x',
  applicationToken: 'a',
});
const result: auth.AgentResult = auth.parseAgentResponse(
  { status: 200, body: request.body },
  { method: 'GetAssociate' },
);
const code: auth.ErrorCode = 'ERR_TICKET_REJECTED';
void [result, code];
