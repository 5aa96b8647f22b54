// Standard export formats for sealed audit records (issue 12): NDJSON (the record itself), OCSF
// 1.7.0 and ECS. Pure: the CLI streams pages of readSealedRecords through these.
export type { EcsCategory, EcsType, ExportOutcome, ExportPlan, ExportSeverity, OcsfClassName } from './export-plan';
export { exportPlanOf, exportPlans } from './export-plan';
export type { OcsfAuthFactor, OcsfEvent, OcsfOptions } from './ocsf';
export { auditRecordToOcsf, ocsfSchemaVersion } from './ocsf';
export type { EcsDocument } from './ecs';
export { auditRecordToEcs, ecsVersion } from './ecs';
export { auditRecordToNdjson } from './ndjson';
/** Our JSON Schema (draft 2020-12) of the OCSF 1.7.0 events the export emits: for tests and SIEM pipelines. */
export { ocsfExportJsonSchema } from './schema/ocsf-1.7.0-holdfast.schema';
