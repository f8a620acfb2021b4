// NetServer agents through require(), type-checked.
import auth = require('superoffice-auth');

const request: auth.HttpRequestDescriptor = auth.buildAgentRequest({
  protocol: 'soap',
  netserverUrl: 'https://sod.superoffice.com/Cust1/Remote/Services88/',
  agent: 'Associate',
  method: 'GetAssociate',
  parameters: { AssociateId: 5 },
  ticket: '7T:x',
  applicationToken: 'a',
});
const result: auth.AgentResult = auth.parseAgentResponse(
  { status: 200, body: request.body },
  { protocol: 'soap', method: 'GetAssociate', agent: 'Associate' },
);
const rest: auth.HttpRequestDescriptor = auth.buildAgentRequest({
  webapiUrl: 'https://sod2.superoffice.com/Cust1/api/',
  agent: 'Associate',
  method: 'GetAssociate',
  parameters: { AssociateId: 5 },
  ticket: '7T:x',
  applicationToken: 'a',
});
const json: auth.RestAgentResult = auth.parseAgentResponse({ status: 200, body: rest.body });
const value: auth.AgentJson = json.response;
const code: auth.ErrorCode = 'ERR_TICKET_REJECTED';
void [result, code, value];
