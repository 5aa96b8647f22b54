// The console side of the Users & factors procedures (issue 13): `admin.users.*` and
// `admin.bypass.issue`. Inputs are checked with the validators' schemas before they leave (a bad
// input fails here with BAD_REQUEST words, not as a gateway round trip), and every answer is parsed
// with the same schemas the gateway's `.output()` uses. Reads may be retried on another gateway;
// changes are sent once (an unlock or a bypass is counted where it arrived).
import {
  adminEnrollmentLinkInput,
  adminEnrollmentLinkOutput,
  adminIssueBypassInput,
  adminIssueBypassOutput,
  adminRevokeFactorInput,
  adminRevokeFactorOutput,
  adminUnlockInput,
  adminUnlockOutput,
  adminUserGetOutput,
  adminUserListInput,
  adminUserListOutput,
  adminUserRef,
} from '@holdfast/validators';
import type { z } from 'zod';
import { adminMutation, adminQuery } from './admin-api';

export type AdminUserList = z.output<typeof adminUserListOutput>;
export type AdminUserGet = z.output<typeof adminUserGetOutput>;
export type AdminUnlocked = z.output<typeof adminUnlockOutput>;
export type AdminEnrollmentLink = z.output<typeof adminEnrollmentLinkOutput>;
export type AdminBypassIssued = z.output<typeof adminIssueBypassOutput>;

export function listUsers(bearer: string, input: z.input<typeof adminUserListInput>): Promise<AdminUserList> {
  return adminQuery('admin.users.list', { bearer, input: adminUserListInput.parse(input), output: adminUserListOutput });
}

export function getUser(bearer: string, input: z.input<typeof adminUserRef>): Promise<AdminUserGet> {
  return adminQuery('admin.users.get', { bearer, input: adminUserRef.parse(input), output: adminUserGetOutput });
}

export function unlockUser(bearer: string, input: z.input<typeof adminUnlockInput>): Promise<AdminUnlocked> {
  return adminMutation('admin.users.unlock', { bearer, input: adminUnlockInput.parse(input), output: adminUnlockOutput });
}

export function revokeFactor(bearer: string, input: z.input<typeof adminRevokeFactorInput>): Promise<z.output<typeof adminRevokeFactorOutput>> {
  return adminMutation('admin.users.revokeFactor', { bearer, input: adminRevokeFactorInput.parse(input), output: adminRevokeFactorOutput });
}

/** The URL is shown once to the admin (only its hash is stored); it never goes to a log. */
export function sendEnrollmentLink(bearer: string, input: z.input<typeof adminEnrollmentLinkInput>): Promise<AdminEnrollmentLink> {
  return adminMutation('admin.users.sendEnrollmentLink', { bearer, input: adminEnrollmentLinkInput.parse(input), output: adminEnrollmentLinkOutput });
}

/** The code is shown once (only a hash is stored); issuing one ends any earlier unused one. */
export function issueBypass(bearer: string, input: z.input<typeof adminIssueBypassInput>): Promise<AdminBypassIssued> {
  return adminMutation('admin.bypass.issue', { bearer, input: adminIssueBypassInput.parse(input), output: adminIssueBypassOutput });
}
