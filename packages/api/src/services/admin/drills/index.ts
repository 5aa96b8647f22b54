// The admin console's drills page (issue 13): reports from drill_reports, read defensively.
export { getDrillReport, listDrillReports } from './drill-reports';
