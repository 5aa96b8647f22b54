// The console's Users & factors page (issue 13): admin.users.* (routers/admin-users.ts).
export { adminRevokeFactor, adminSendEnrollmentLink, adminUnlockUser, getAdminUser } from './admin-user-actions';
export { loadAdminUserDetail, visibleApplication, type AdminUsersDb, type VisibleApplication } from './admin-user-detail';
export { listAdminUsers, type AdminUserListPage } from './list-admin-users';
