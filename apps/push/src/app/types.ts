// Shapes the server actions hand to the screens (plain JSON: server actions serialise their results).

/** What a server action returns: never a thrown error, which the browser would only see as a digest. */
export type ActionResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface PairingPreview {
  applicationName: string;
  userId: string;
  /** ISO 8601. */
  expiresAt: string;
}

export interface PairedDevice {
  deviceId: string;
  applicationId: string;
  applicationName: string;
  userId: string;
  audience: string;
}

export interface PendingRequest {
  transactionId: string;
  applicationName: string;
  context: { ipAddress?: string | undefined; location?: string | undefined; browser?: string | undefined };
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  expiresAt: string;
}

export type RequestStatus = 'pending' | 'approved' | 'denied' | 'expired';

export interface AnswerOutcome {
  status: RequestStatus;
  reason: string;
}
