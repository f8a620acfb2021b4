// A Cloudflare Worker that answers `GET /{contextIdentifier}` with that tenant's current principal
// (SuperOffice's `v1/User/currentPrincipal`), using a system user ticket.
//
// Tickets are cached in the isolate: the client lives in module scope, so every request this isolate
// serves shares its ticket cache (one exchange per tenant every few hours, concurrent requests
// coalesced). Isolates come and go, so a new one exchanges again; for a cache shared by all isolates,
// pass `cache` an adapter over Workers KV (async get/set/delete, values are plain JSON).
//
// Configuration (wrangler.toml [vars] and `wrangler secret put`):
//   SO_ENVIRONMENT          sod | stage | online (or SO_BASE_URL for a stand-in)
//   SO_APPLICATION_TOKEN    secret
//   SO_PRIVATE_KEY          secret: the <RSAKeyValue> XML (or PEM) from the developer portal
//   SO_SYSTEM_USER_TOKENS   secret: JSON { "Cust12345": "MyApp-..." }
//   SO_WEBHOOK_SECRET       secret: the Secret of the webhook whose TargetUrl is https://{worker}/webhook
//   SO_TENANT_STATUS_KEYS   SuperOffice's federated-login certificate (PEM), to take tenant status
//                           notifications at the same URL (issuer: SO_ENVIRONMENT's, or SO_ISSUER)
//
// `POST /webhook` takes SuperOffice's webhook deliveries (signature checked, test event answered,
// repeats within the isolate dropped) and tenant status notifications; `GET /webhook/events` lists the
// last few it accepted.
import { authHeaders, createSystemUserClient, handleWebhookRequest, SuperOfficeAuthError } from 'superoffice-auth';

let client; // per isolate; made on the first request, when `env` is known
let systemUserTokens;

function clientFor(env) {
  if (!client) {
    systemUserTokens = JSON.parse(env.SO_SYSTEM_USER_TOKENS);
    client = createSystemUserClient({
      ...(env.SO_BASE_URL ? { baseUrl: env.SO_BASE_URL } : { environment: env.SO_ENVIRONMENT }),
      applicationToken: env.SO_APPLICATION_TOKEN,
      privateKey: env.SO_PRIVATE_KEY,
      systemUserTokens,
    });
  }
  return client;
}

// The receiver's options live in module scope: handleWebhookRequest keeps one duplicate window per
// options object, so the isolate remembers which EventIds it handled.
let webhookOptions;
const accepted = []; // the last few events and notifications, newest first

function webhookOptionsFor(env) {
  if (!webhookOptions) {
    const remember = (entry) => accepted.unshift(entry) > 20 && accepted.pop();
    webhookOptions = {
      secret: env.SO_WEBHOOK_SECRET,
      onEvent: (event) =>
        remember({
          eventId: event.eventId,
          event: event.event,
          primaryKey: event.primaryKey,
          contextIdentifier: event.contextIdentifier,
        }),
    };
    if (env.SO_TENANT_STATUS_KEYS) {
      Object.assign(webhookOptions, {
        keys: env.SO_TENANT_STATUS_KEYS,
        ...(env.SO_ISSUER ? { issuer: env.SO_ISSUER } : { environment: env.SO_ENVIRONMENT }),
        onTenantStatus: async (notification) => {
          remember({ contextIdentifier: notification.contextIdentifier, changeType: notification.changeType });
          // Suspend and Delete drop the tenant's ticket and stop its calls (ERR_TENANT_UNAVAILABLE, no
          // exchange); Resume and Upgrade lift that.
          await clientFor(env).applyTenantStatus(notification);
        },
      });
    }
  }
  return webhookOptions;
}

const json = (status, body) => Response.json(body, { status, headers: { 'cache-control': 'no-store' } });

/** The tenant's current principal; on a 401 (ticket dropped early by SuperOffice) one retry with a new ticket. */
async function currentPrincipal(so, env, contextIdentifier) {
  for (let attempt = 1; ; attempt += 1) {
    const ticket = await so.getTicket({ contextIdentifier });
    const res = await fetch(new URL('v1/User/currentPrincipal', ticket.webapiUrl), {
      headers: { ...authHeaders(ticket.ticket, env.SO_APPLICATION_TOKEN), Accept: 'application/json' },
      redirect: 'manual',
    });
    if (res.status === 401 && attempt === 1) {
      await res.body?.cancel();
      await so.invalidate(contextIdentifier, { ticket: ticket.ticket });
      continue;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      return json(502, { error: 'tenant API', status: res.status });
    }
    return json(200, { contextIdentifier, obtainedAt: ticket.obtainedAt, principal: await res.json() });
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === '/webhook' && env.SO_WEBHOOK_SECRET) return handleWebhookRequest(request, webhookOptionsFor(env));
    if (pathname === '/webhook/events' && request.method === 'GET') return json(200, { accepted });
    if (request.method !== 'GET') return json(405, { error: 'GET /{contextIdentifier}' });
    const contextIdentifier = pathname.slice(1);
    const so = clientFor(env);
    if (!/^[A-Za-z0-9]+$/.test(contextIdentifier) || !Object.hasOwn(systemUserTokens, contextIdentifier)) {
      return json(404, { error: 'unknown tenant' });
    }
    try {
      return await currentPrincipal(so, env, contextIdentifier);
    } catch (error) {
      // Codes and messages never carry a secret; the ticket stays out of the answer.
      if (error instanceof SuperOfficeAuthError) return json(502, { error: error.code, message: error.message });
      throw error;
    }
  },
};
