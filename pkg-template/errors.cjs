'use strict';
// The package's one error class. The codes themselves are declared once, in Rust (src/error.rs);
// index.d.ts mirrors them and a test holds the lists equal.

class SuperOfficeAuthError extends Error {
  /** @type {'SuperOfficeAuthError'} */
  name = 'SuperOfficeAuthError';

  /**
   * @param {import('superoffice-auth').ErrorCode} code one of ERROR_CODES
   * @param {string} message short, never containing a secret
   * @param {import('superoffice-auth').SuperOfficeAuthErrorDetails & { cause?: unknown }} [details] extra public
   *   fields (claim, faultCode, ...); `cause` becomes Error's cause
   */
  constructor(code, message, details = {}) {
    const { cause, ...fields } = details;
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined) this[name] = value;
    }
  }
}

function invalidArgument(message) {
  return new SuperOfficeAuthError('ERR_INVALID_ARGUMENT', message);
}

module.exports = { SuperOfficeAuthError, invalidArgument };
