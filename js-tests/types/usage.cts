// The CommonJS side of the declarations.
import auth = require('superoffice-auth');

const signed: string = auth.signToken('token', auth.PrivateKey.parse('...'), { now: 0 });
const error = new auth.SuperOfficeAuthError('ERR_TIMEOUT', 'timed out', { cause: new Error('x') });
const code: auth.ErrorCode = error.code;
void [signed, code];
