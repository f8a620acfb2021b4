'use strict';
// The package's public facade. The pure functions come from the core module (core/: the wasm wrapper,
// argument checks, times in and Dates out, the core's errors as SuperOfficeAuthError); the clients
// (client/) compose them with I/O. Nothing inside the package imports this file: it is an entry, like
// index.mjs and cli.cjs.

const core = require('./core/index.cjs');

// The clients build on the core module and load on first use: a caller of the pure functions never
// pays for them, and they were about half of the package's import time (measured with `npm run
// bench`'s cold start). The whole is type-checked against index.d.ts (tsconfig.check-js.json).
const facade = /** @satisfies {typeof import('superoffice-auth')} */ ({
  ...core,
  // The names of the clients' events (channel `superoffice-auth:{name}`, and onEvent): a small list,
  // loaded at once so a subscriber can name the channels before any client exists.
  EVENT_NAMES: require('./client/events.cjs').EVENT_NAMES,
  createSystemUserClient: function createSystemUserClient(options) {
    return require('./client/system-user.cjs').createSystemUserClient(options);
  },
  createMemoryCache: function createMemoryCache(options) {
    return require('./client/system-user.cjs').createMemoryCache(options);
  },
  createRefreshTokenClient: function createRefreshTokenClient(options) {
    return require('./client/refresh-token.cjs').createRefreshTokenClient(options);
  },
  // The receiver for what SuperOffice posts to you (webhooks, tenant status notifications), on first use.
  createWebhookHandler: function createWebhookHandler(options) {
    return require('./receiver/webhook-handler.cjs').createWebhookHandler(options);
  },
  handleWebhookRequest: function handleWebhookRequest(request, options) {
    return require('./receiver/webhook-handler.cjs').handleWebhookRequest(request, options);
  },
  createMemoryWebhookEventStore: function createMemoryWebhookEventStore(options) {
    return require('./receiver/event-store.cjs').createMemoryWebhookEventStore(options);
  },
});

module.exports = facade;
