// Mutation testing of @holdfast/validators: `npm run test:mutation` (root). See tooling/stryker.config.base.mjs.
import { strykerConfigFor } from '../../tooling/stryker.config.base.mjs';

// Break at 75 %, not core's 85 %: almost every mutant here is static (a module-level zod schema),
// and the survivors left are (a) mutants that make zod throw while the module loads
// (`exclude([""])`, `discriminatedUnion("")`), which Stryker's vitest runner reports as survived
// although every test importing the package fails — checked by hand with tsx — and (b) the texts of
// error messages. schemas.boundaries.test.ts pins the behaviour those mutants would change.
export default { ...strykerConfigFor('validators'), thresholds: { high: 90, low: 75, break: 75 } };
