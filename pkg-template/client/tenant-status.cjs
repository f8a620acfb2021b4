'use strict';
// client.applyTenantStatus: what a verified tenant status notification does to the client's view of
// the tenant (its ticket, the directory's mark), through the fleet's store.

const { invalidArgument } = require('./io.cjs');
const { requireString } = require('../arguments.cjs');
const { STATE_MAX_TTL_MS } = require('./tenant-directory.cjs');

// Tenant status notifications (SuperOfficeDocs/superoffice-docs docs/en/apps/tenant-status/
// notifications.md): ChangeType Upgrade (0), BackupRestored (1), Suspend (2), Resume (3), Delete (4).
const CHANGE_UPGRADE = 0;
const CHANGE_SUSPEND = 2;
const CHANGE_RESUME = 3;
const CHANGE_DELETE = 4;
const STATE_DELETED = 3;
const STATE_SUSPENDED = 4;
const NOTIFIED_MARK_MS = STATE_MAX_TTL_MS;

/**
 * @param {object} o
 * @param {{ mark(ctx: string, mark: { state?: string, stateCode?: number, until: number }): Promise<unknown> }} o.directory
 * @param {{ drop(ctx: string, ticket?: string): Promise<boolean> }} o.tickets
 * @param {(name: string, fields: object) => void} o.emit
 * @param {() => number} o.now
 */
function createTenantStatusApplier({ directory, tickets, emit, now }) {
  // The caller verified the notification (parseTenantStatusNotification); this acts on it.
  return async function applyTenantStatus(notification) {
    if (notification === null || typeof notification !== 'object')
      throw invalidArgument('applyTenantStatus needs the result of parseTenantStatusNotification');
    const { contextIdentifier, changeTypeCode } = notification;
    requireString(contextIdentifier, 'contextIdentifier');
    if (!Number.isSafeInteger(changeTypeCode))
      throw invalidArgument('applyTenantStatus needs the result of parseTenantStatusNotification (changeTypeCode)');
    if (changeTypeCode === CHANGE_SUSPEND || changeTypeCode === CHANGE_DELETE) {
      const [state, stateCode] =
        changeTypeCode === CHANGE_DELETE ? ['Deleted', STATE_DELETED] : ['Suspended', STATE_SUSPENDED];
      // Marked for as long as a state answer is trusted at most; then the state API is asked before any
      // call goes on, so a resume SuperOffice did not notify is still seen.
      const until = now() + NOTIFIED_MARK_MS;
      await directory.mark(contextIdentifier, { state, stateCode, until });
      await tickets.drop(contextIdentifier);
      emit('tenant:unavailable', {
        contextIdentifier,
        state,
        stateCode,
        validUntil: new Date(until),
        via: 'notification',
      });
      return changeTypeCode === CHANGE_DELETE ? 'deleted' : 'suspended';
    }
    if (changeTypeCode === CHANGE_RESUME || changeTypeCode === CHANGE_UPGRADE) {
      await directory.mark(contextIdentifier, { until: 0 });
      return 'resumed';
    }
    return 'ignored';
  };
}

module.exports = { createTenantStatusApplier };
