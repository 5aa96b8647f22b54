// Every error the portal can meet, in words a person can act on. Codes come from the gateway
// (`error.data.holdfastCode`) or from the web app itself (GATEWAY_UNAVAILABLE).

export type LinkProblem = 'expired' | 'used' | 'invalid' | 'unavailable';

/** Which message page a failed link redemption leads to. */
export function linkProblemFor(code: string): LinkProblem {
  switch (code) {
    case 'ENROLLMENT_LINK_EXPIRED':
      return 'expired';
    case 'ENROLLMENT_LINK_USED':
      return 'used';
    case 'ENROLLMENT_LINK_INVALID':
    case 'BAD_REQUEST':
      return 'invalid';
    default:
      return 'unavailable';
  }
}

export const linkProblemText: Record<LinkProblem, { title: string; body: string }> = {
  expired: {
    title: 'This enrollment link has expired',
    body: 'Enrollment links only work for a limited time. Ask the app or website that sent it to you for a new one.',
  },
  used: {
    title: 'This enrollment link has already been used',
    body: 'Each enrollment link works once, so nobody else can reuse it. If that was not you, tell the app or website that sent it, and ask it for a new link.',
  },
  invalid: {
    title: 'This enrollment link is not valid',
    body: 'Check that you copied the whole link. If it still does not work, ask the app or website that sent it to you for a new one.',
  },
  unavailable: {
    title: 'We could not check your enrollment link',
    body: 'The sign-in service did not answer. Wait a minute and open the link again. If it then says the link was already used, ask the app or website that sent it to you for a new one.',
  },
};

/** A sentence for an error during enrollment (the portal shows it in an alert next to the form). */
export function describeError(code: string): string {
  switch (code) {
    case 'INVALID_CODE':
      return "That code didn't match. Enter the 6-digit code your authenticator app shows now; if it keeps failing, check that your phone's clock is set automatically.";
    case 'FRESH_VERIFICATION_REQUIRED':
      return 'This is your last way to sign in. Enter a current code from it to confirm that you want to remove it.';
    case 'ALREADY_ENROLLED':
      return 'This authenticator app is already set up. Refresh the page to see your factors.';
    case 'FACTOR_NOT_FOUND':
    case 'FACTOR_NOT_ACTIVE':
      return 'That factor no longer exists. Refresh the page to see your current factors.';
    case 'ENROLLMENT_SESSION_INVALID':
    case 'UNAUTHENTICATED':
      return 'Your enrollment session has ended. Open a new enrollment link from the app that sent you here.';
    case 'RATE_LIMITED':
      return 'Too many attempts. Wait a few minutes, then try again.';
    case 'BAD_REQUEST':
      return 'Something in the form is not right. Check what you entered and try again.';
    case 'GATEWAY_UNAVAILABLE':
    case 'DATABASE_UNAVAILABLE':
      return 'The sign-in service is not answering right now. Nothing was changed; try again in a minute.';
    default:
      return 'Something went wrong on our side. Nothing was changed; try again in a minute.';
  }
}
