// Every error the PWA can meet, in words a person can act on. Codes come from the gateway
// (`holdfastCode`) or from the PWA's server (GATEWAY_UNAVAILABLE).

/** Why pairing failed, for the pairing screen. */
export function describePairingError(code: string): string {
  switch (code) {
    case 'PUSH_PAIRING_INVALID':
    case 'BAD_REQUEST':
      // One code for unknown, expired and used tokens (the gateway does not say which): so one sentence.
      return 'This pairing link is not valid any more: it may have expired (links last 10 minutes) or been used already. Open your account page and create a new one.';
    case 'GATEWAY_UNAVAILABLE':
    case 'DATABASE_UNAVAILABLE':
    case 'GATEWAY_OVERLOADED':
      return 'The sign-in service is not answering right now. Nothing was paired; try again in a minute.';
    default:
      return 'Something went wrong on our side. Nothing was paired; try again in a minute.';
  }
}

/** Why checking for or answering a request failed. */
export function describeRequestError(code: string): string {
  switch (code) {
    case 'PUSH_REQUEST_REFUSED':
    case 'PUSH_TRANSACTION_NOT_FOUND':
      return 'This request can no longer be answered. If you are still signing in, start again on your sign-in screen.';
    case 'GATEWAY_UNAVAILABLE':
    case 'DATABASE_UNAVAILABLE':
    case 'GATEWAY_OVERLOADED':
      return 'The sign-in service is not answering right now. Check your connection and try again.';
    default:
      return 'Something went wrong on our side. Try again in a moment.';
  }
}
