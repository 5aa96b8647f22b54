// The role matrix lives with the words (validators) so the console can hide what the API refuses
// from the same table; core re-exports it for the gateways.
export { adminActionNeedsStepUp, canAdmin } from '@holdfast/validators';
