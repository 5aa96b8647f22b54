// The live map's fallback: the browser polls this when the event stream is down. It answers JSON
// from `admin.overview.snapshot` (any gateway that answers) with the admin bearer from the cookie.
import { NextResponse } from 'next/server';
import { overviewSnapshot } from '../../../lib/admin-api';
import { GatewayError } from '../../../lib/gateway';
import { readAdminCookie } from '../../../lib/session';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<NextResponse> {
  const content = await readAdminCookie();
  if (content?.stage !== 'session') return NextResponse.json({ ok: false, code: 'ADMIN_SESSION_INVALID' }, { status: 401 });
  try {
    const overview = await overviewSnapshot(content.token, request.signal);
    return NextResponse.json({ ok: true, overview }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    const code = error instanceof GatewayError ? error.code : 'INTERNAL';
    if (!(error instanceof GatewayError)) console.error('holdfast admin: overview snapshot failed', error);
    const status = error instanceof GatewayError && error.httpStatus !== null ? error.httpStatus : 503;
    return NextResponse.json({ ok: false, code }, { status, headers: { 'cache-control': 'no-store' } });
  }
}
