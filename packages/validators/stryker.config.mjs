// Mutation testing of @holdfast/validators: `npm run test:mutation` (root). See tooling/stryker.config.base.mjs.
import { strykerConfigFor } from '../../tooling/stryker.config.base.mjs';

export default strykerConfigFor('validators');
