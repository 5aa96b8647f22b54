// Admin console (issue 13), the pure part: who may do what, what a session's times mean, and how
// an admin's password is hashed. The gateways enforce these; the console only reflects them.
export { adminActionNeedsStepUp, canAdmin } from './permissions';
export { adminSessionExpiresAt, adminSessionLimits, adminSessionState, hasFreshStepUp, type AdminSessionState, type AdminSessionTimes } from './session';
export { adminPasswordNeedsRehash, hashAdminPassword, verifyAdminPassword } from './password';
