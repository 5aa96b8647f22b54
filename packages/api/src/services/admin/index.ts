// Admin console sign-in and sessions (issue 13). The middleware is `adminProcedure` (../../admin-procedure.ts).
export { applyAdminOrigin, loadSystemApplication } from './system-application';
export { createAdminAccount } from './create-admin-account';
export { adminLockout } from './sign-in-admin';
export { createPasswordGate } from './password-gate';
export { adminOutageGraceMs } from './authenticate-admin-session';
