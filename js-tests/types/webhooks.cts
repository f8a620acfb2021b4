// Webhooks, CommonJS side, type-checked: the handler called as a node:http listener would call it.
import auth = require('superoffice-auth');

const handler = auth.createWebhookHandler({ secret: 's', onEvent: (event: auth.WebhookEvent) => void event.changes });
const req: auth.NodeIncomingRequest = { method: 'POST', headers: { 'x-superoffice-signature': 'abc' }, on: () => req };
const res: auth.NodeServerResponse = { headersSent: false, writeHead: () => res, end: () => res };
const done: Promise<void> = handler(req, res);
const store: auth.MemoryWebhookEventStore = auth.createMemoryWebhookEventStore();
const size: number = store.size;
void [done, size];
