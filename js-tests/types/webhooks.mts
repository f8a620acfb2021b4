// Webhooks and tenant status notifications, ESM side, type-checked.
import {
  verifyWebhook,
  parseTenantStatusNotification,
  createWebhookHandler,
  handleWebhookRequest,
  createMemoryWebhookEventStore,
  type WebhookEvent,
  type WebhookEventStore,
  type WebhookInvalidReason,
  type TenantStatusNotification,
  SuperOfficeAuthError,
} from 'superoffice-auth';
import { createRedisWebhookEventStore, type RedisWebhookEventStore } from 'superoffice-auth/redis';
import { startMockSuperOffice } from 'superoffice-auth/testing';

const event: WebhookEvent = verifyWebhook({
  body: new Uint8Array(0),
  headers: { 'x-superoffice-signature': 'abc' },
  secret: ['old', 'new'],
  maxAgeSeconds: 300,
  now: new Date(),
});
const when: Date = event.timestamp;
const values: Record<string, unknown> | undefined = event.fieldValues;
const notification: TenantStatusNotification = parseTenantStatusNotification('{}', {
  keys: '-----BEGIN CERTIFICATE-----',
  environment: 'online',
  clientId: 'app',
});
const kind: string | number = notification.changeType;
try {
  verifyWebhook({ body: '{}', headers: new Headers(), secret: 's' });
} catch (error) {
  if (error instanceof SuperOfficeAuthError && error.code === 'ERR_WEBHOOK_INVALID') {
    const reason = error.reason as WebhookInvalidReason;
    void reason;
  }
}
const store: WebhookEventStore = createMemoryWebhookEventStore({ maxEntries: 100 });
const nodeRedis = { isReady: true, sendCommand: async (args: string[]) => args.length };
const shared: RedisWebhookEventStore = createRedisWebhookEventStore({ client: nodeRedis, keyPrefix: 'app:' });
const handler = createWebhookHandler({
  secret: 's',
  onEvent: async (e) => void e.eventId,
  onTenantStatus: (n) => void n.contextIdentifier,
  keys: '-----BEGIN CERTIFICATE-----',
  environment: 'sod',
  eventStore: shared,
  onError: (error, context) => void [error, context.stage],
});
const answer: Promise<Response> = handler(new Request('https://example.com/', { method: 'POST', body: '{}' }));
const fetched: Promise<Response> = handleWebhookRequest(new Request('https://example.com/'), {
  secret: 's',
  onEvent() {},
});
const mock = await startMockSuperOffice();
const delivery = await mock.sendWebhook({ url: 'http://127.0.0.1:1/', secret: 's', test: true, attempts: 1 });
const status: number = delivery.attempts[0].status;
const sent = await mock.notifyTenantStatus({
  url: 'http://127.0.0.1:1/',
  contextIdentifier: 'Cust1',
  changeType: 'Suspend',
});
void [when, values, kind, store, answer, fetched, status, sent.token];
