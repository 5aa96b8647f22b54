'use server';
// The Users & factors page's changes, each a server action: the admin token stays in the sealed
// cookie, inputs are checked against the validators' schemas (a server action is a public endpoint
// like any other), and the gateway decides role and step-up (adminProcedure). The answers carry the
// user's fresh detail, so the page redraws from what the gateway now holds.
import type { z } from 'zod';
import type { adminEnrollmentLinkInput, adminIssueBypassInput, adminRevokeFactorInput, adminUnlockInput } from '@holdfast/validators';
import * as usersApi from '../../../lib/admin-api-users';
import { runConsoleAction } from '../../../lib/console-action';
import type { ActionResult } from '../../sign-in/types';

export async function unlockUser(input: z.input<typeof adminUnlockInput>): Promise<ActionResult<usersApi.AdminUnlocked>> {
  return runConsoleAction('users', (bearer) => usersApi.unlockUser(bearer, input));
}

export async function revokeFactor(input: z.input<typeof adminRevokeFactorInput>): Promise<ActionResult<usersApi.AdminUnlocked['user']>> {
  return runConsoleAction('users', async (bearer) => (await usersApi.revokeFactor(bearer, input)).user);
}

export async function sendEnrollmentLink(input: z.input<typeof adminEnrollmentLinkInput>): Promise<ActionResult<usersApi.AdminEnrollmentLink>> {
  return runConsoleAction('users', (bearer) => usersApi.sendEnrollmentLink(bearer, input));
}

export async function issueBypass(input: z.input<typeof adminIssueBypassInput>): Promise<ActionResult<usersApi.AdminBypassIssued>> {
  return runConsoleAction('users', (bearer) => usersApi.issueBypass(bearer, input));
}

/** Re-reads a user (after the page was open a while, or after an action elsewhere). */
export async function refreshUser(input: { applicationId: string; userId: string }): Promise<ActionResult<usersApi.AdminUserGet>> {
  return runConsoleAction('users', (bearer) => usersApi.getUser(bearer, input));
}
