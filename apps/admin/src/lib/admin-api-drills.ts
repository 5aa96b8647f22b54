// The console's side of the drill procedures (issue 13, COMMON.md Phase 9): `admin.drills.*`
// (action drills.read) over `drill_reports`, parsed with the committed contract in @holdfast/validators.
import { adminDrillGetInput, adminDrillGetOutput, adminDrillListInput, adminDrillListOutput } from '@holdfast/validators';
import type { z } from 'zod';
import { adminQuery } from './admin-api';

export type DrillListInput = z.input<typeof adminDrillListInput>;
export type DrillList = z.output<typeof adminDrillListOutput>;
export type DrillSummary = DrillList['drills'][number];
export type DrillDetail = NonNullable<z.output<typeof adminDrillGetOutput>['drill']>;

/** The drill history, newest first, one page at a time. */
export function listDrills(bearer: string, input: DrillListInput = {}): Promise<DrillList> {
  return adminQuery('admin.drills.list', { bearer, input: adminDrillListInput.parse(input), output: adminDrillListOutput });
}

/** One report with its targets, events and per-second timeline; null when there is no such drill. */
export async function getDrill(bearer: string, input: { id: string }): Promise<DrillDetail | null> {
  const { drill } = await adminQuery('admin.drills.get', { bearer, input: adminDrillGetInput.parse(input), output: adminDrillGetOutput });
  return drill;
}
