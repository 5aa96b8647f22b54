// Why an audit or drill view could not be shown, in words an operator can act on.
import { describeAdminError } from '../../../lib/messages';

export function describeReadProblem(code: string): string {
  switch (code) {
    case 'ADMIN_FORBIDDEN':
      return 'Your role does not allow this.';
    case 'BAD_REQUEST':
      return 'The search was not accepted: check the filters (times in UTC, an event type such as verification.accepted or a prefix such as admin.).';
    case 'SEARCH_TOO_BROAD':
    case 'QUERY_TIMEOUT':
      return 'That search took too long. Narrow it: an application, an event type or a shorter time range.';
    default:
      return describeAdminError(code, { stage: 'step-up' });
  }
}
