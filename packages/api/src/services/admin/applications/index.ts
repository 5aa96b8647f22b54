// Relying applications from the admin console (issue 13): admin.applications.* (routers/admin-applications.ts).
export { getAdminApplication, createAdminApplication, updateAdminApplication } from './manage-applications';
export { listAdminApplications } from './application-view';
export { createAdminApiKey, rotateAdminApiKey, revokeAdminApiKey } from './manage-api-keys';
export { setAdminWebhook, listAdminWebhookDeliveries, redeliverAdminWebhook } from './application-webhook';
