// The admin console's audit trail over HTTP (issue 13): the all-applications stream and the export.
export {
  adminAuditExportPath,
  adminAuditStreamPath,
  createAdminAuditRoutes,
  defaultAdminAuditRouteSettings,
  type AdminAuditRoutes,
  type AdminAuditRouteSettings,
} from './admin-audit-routes';
export { parseAdminAuditExportQuery, type AdminAuditExportRequest } from './export-query';
