// ESM entry for `superoffice-auth/testing`: the stand-in is CommonJS at heart, like the package.
import testing from './testing/index.cjs';

export const { startMockSuperOffice, FAULTS } = testing;
export default testing;
