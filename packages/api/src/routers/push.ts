import { router } from '../trpc';

/**
 * The push-approval device (the PWA): pairing, its pending requests, its signed answers. Public
 * procedures: a device proves itself by a signature over each request, never by a bearer token.
 */
export const pushRouter = router({});
