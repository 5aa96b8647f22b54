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
import { ask } from './admin-api';

export type AdminUserList = z.output<typeof adminUserListOutput>;
export type AdminUserGet = z.output<typeof adminUserGetOutput>;
export type AdminUnlocked = z.output<typeof adminUnlockOutput>;
export type AdminEnrollmentLink = z.output<typeof adminEnrollmentLinkOutput>;
export type AdminBypassIssued = z.output<typeof adminIssueBypassOutput>;

export function listUsers(bearer: string, input: z.input<typeof adminUserListInput>): Promise<AdminUserList> {
  const request = adminUserListInput.parse(input);
  return ask(adminUserListOutput, { bearer, isIdempotent: true, call: (client, signal) => client.query('admin.users.list', request, { signal }) });
}

export function getUser(bearer: string, input: z.input<typeof adminUserRef>): Promise<AdminUserGet> {
  const request = adminUserRef.parse(input);
  return ask(adminUserGetOutput, { bearer, isIdempotent: true, call: (client, signal) => client.query('admin.users.get', request, { signal }) });
}

export function unlockUser(bearer: string, input: z.input<typeof adminUnlockInput>): Promise<AdminUnlocked> {
  const request = adminUnlockInput.parse(input);
  return ask(adminUnlockOutput, { bearer, isIdempotent: false, call: (client, signal) => client.mutation('admin.users.unlock', request, { signal }) });
}

export function revokeFactor(bearer: string, input: z.input<typeof adminRevokeFactorInput>): Promise<z.output<typeof adminRevokeFactorOutput>> {
  const request = adminRevokeFactorInput.parse(input);
  return ask(adminRevokeFactorOutput, {
    bearer,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.users.revokeFactor', request, { signal }),
  });
}

/** The URL is shown once to the admin (only its hash is stored); it never goes to a log. */
export function sendEnrollmentLink(bearer: string, input: z.input<typeof adminEnrollmentLinkInput>): Promise<AdminEnrollmentLink> {
  const request = adminEnrollmentLinkInput.parse(input);
  return ask(adminEnrollmentLinkOutput, {
    bearer,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.users.sendEnrollmentLink', request, { signal }),
  });
}

/** The code is shown once (only a hash is stored); issuing one ends any earlier unused one. */
export function issueBypass(bearer: string, input: z.input<typeof adminIssueBypassInput>): Promise<AdminBypassIssued> {
  const request = adminIssueBypassInput.parse(input);
  return ask(adminIssueBypassOutput, { bearer, isIdempotent: false, call: (client, signal) => client.mutation('admin.bypass.issue', request, { signal }) });
}
