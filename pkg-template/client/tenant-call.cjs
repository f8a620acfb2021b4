'use strict';
// One call to a tenant (client.fetch, callAgent, the @superoffice/webapi adapter), and the decisions
// around it: at most one retry per call, for one of two reasons.
//
//   421 Misdirected Request  the tenant moved: the state API names its endpoint (one lookup per tenant,
//                            shared), the call is re-based onto it and sent again with the same ticket
//                            (the ticket is good on any host: no exchange)
//   401 / rejected ticket    the ticket is dropped (if still cached) and the call is sent again with a
//                            fresh one (one coalesced exchange), as SuperOffice's .NET client does
//
// A second 421 or 401 after the retry goes back to the caller (fetch) or is an error (callAgent): never
// a loop, never more than two requests per call. A body that cannot be sent twice (a stream) is not
// retried; the call rejects saying so, after the ticket was dropped or the new endpoint learnt, so the
// caller's next attempt goes right.
//
// Besides: a 503 or a refused connection asks the state API (rate-limited per tenant) and becomes
// ERR_TENANT_UNAVAILABLE when the tenant is not running; an answer that got past authentication (a 2xx,
// or a 4xx other than 401/403/421/429) proves the ticket was used, and `used()` may slide its life.
//
// Node's own fetch (undici) already repeats a request once by itself on a 421 (the Fetch standard's
// step for misdirected requests: whatwg/fetch#1141); so with globalThis.fetch a misdirected call
// reaches the old host twice before we see the 421. That is the platform's, and costs no exchange.

const { fail } = require('./io.cjs');

/** Lets the connection go: the body of a response we do not hand out is never read. */
async function discard(response) {
  try {
    if (response?.body && typeof response.body.cancel === 'function') await response.body.cancel();
  } catch {
    // Nothing to do: the response is being dropped anyway.
  }
}

// An answer from past the tenant's authentication: the ticket was accepted, so it was used.
function passedAuthentication(outcome) {
  if (outcome.rejected) return false;
  const { status } = outcome;
  if (status >= 200 && status < 300) return true;
  return status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 421 && status !== 429;
}

/**
 * @param {object} o
 * @param {object|null} o.directory the tenant directory (null: no tenant to follow, e.g. no id_token)
 * @param {(name: string, fields: object) => void} o.emit
 */
function createTenantCaller({ directory, emit }) {
  /**
   * @param {object} call
   * @param {string|null} call.contextIdentifier the tenant; null: the credential's `contextIdentifier`
   *   (the refresh-token client learns it from the id_token), or no tenant to follow
   * @param {boolean} call.replayable whether the request can be sent twice
   * @param {(previous?: object) => Promise<object>} call.acquire the credential
   *   `{ token, headers, route: { endpoint, webapiUrl, netserverUrl } }`; given the previous one, the
   *   same ticket with the route recomputed (after a move)
   * @param {(token: string) => Promise<unknown>} call.drop forget that ticket if still cached
   * @param {(credential: object) => void} [call.used] the ticket was proven used
   * @param {(credential: object) => Promise<object>} call.attempt sends once: `{ status, headers,
   *   response?, value?, error?, rejected? }` (rejected: the tenant refused the ticket)
   * @param {(outcome: object) => unknown} call.settle the call's result from the last outcome (may throw)
   * @param {string} call.via 'fetch' | 'agent' | 'webapi', for events
   */
  async function run(call) {
    const { replayable, acquire, drop, used, attempt, settle, via } = call;
    // The system-user client fails fast on its way to a ticket; a tenant learnt from the credential
    // (the refresh-token client's id_token) is checked here.
    let credential = await acquire();
    const contextIdentifier = call.contextIdentifier ?? credential.contextIdentifier ?? null;
    if (directory && contextIdentifier && !call.contextIdentifier) await directory.assertAvailable(contextIdentifier);
    let retried = false;
    for (;;) {
      let outcome;
      try {
        outcome = await attempt(credential);
      } catch (err) {
        // A refused connection may be a tenant that is down (or gone from that host).
        if (err && err.code === 'ERR_FETCH_FAILED' && directory && contextIdentifier) {
          const down = await directory.suspect(contextIdentifier, 'unreachable');
          if (down) {
            down.cause = err;
            throw down;
          }
        }
        throw err;
      }

      if (outcome.status === 421 && directory && contextIdentifier && !retried) {
        const moved = await directory.misdirected(contextIdentifier, credential.route.endpoint);
        if (moved) {
          await discard(outcome.response);
          if (!replayable) {
            throw fail(
              'ERR_HTTP_STATUS',
              'the tenant answered 421: it moved to another host, which is now known; the request body is a stream and cannot be sent twice, so it was not retried (send the request again)',
              { status: 421, retried: false },
            );
          }
          retried = true;
          credential = await acquire(credential);
          continue;
        }
      }

      if (outcome.rejected) {
        emit('ticket:rejected', { contextIdentifier, via, status: outcome.status, retried: !retried && replayable });
        await drop(credential.token);
        if (!retried) {
          await discard(outcome.response);
          if (!replayable) {
            throw fail(
              'ERR_TICKET_REJECTED',
              'the tenant answered 401; the request body is a stream and cannot be sent twice, so it was not retried (the credential was dropped: send the request again)',
              { status: outcome.status, retried: false },
            );
          }
          retried = true;
          credential = await acquire();
          continue;
        }
      }

      if (outcome.status === 503 && directory && contextIdentifier) {
        const down = await directory.suspect(contextIdentifier, 'unavailable');
        if (down) {
          await discard(outcome.response);
          throw down;
        }
      }

      if (outcome.status === 429) {
        emit('rate-limited', {
          contextIdentifier,
          where: 'tenant',
          via,
          status: 429,
          retryAfterMs: outcome.retryAfterMs ?? null,
        });
      }

      if (used && passedAuthentication(outcome)) used(credential);
      return settle(outcome);
    }
  }
  return { run };
}

module.exports = { createTenantCaller, passedAuthentication, discard };
