// Mutation testing of @holdfast/core: `npm run test:mutation` (root). See tooling/stryker.config.base.mjs.
import { strykerConfigFor } from '../../tooling/stryker.config.base.mjs';

export default strykerConfigFor('core', { mutate: ['!packages/core/src/crypto/test-keyring.ts'] });
