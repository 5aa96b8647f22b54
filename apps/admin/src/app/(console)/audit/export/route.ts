// Export of the current search as a download: the page's links come here with the search's
// filters and a format; this handler asks a gateway for `GET /v1/admin/audit/export` with the admin
// bearer and passes the NDJSON through as it arrives (the gateway streams in constant memory; so
// does this). A refusal or an unreachable cluster goes back to the Audit page with the reason.
import { adminAuditExportQuery } from '@holdfast/validators';
import { NextResponse } from 'next/server';
import { adminEnv } from '../../../../env';
import { auditExportPath } from '../../../../lib/admin-api-audit';
import { gatewayGet, passThrough } from '../../../../lib/gateway-get';
import { readAdminCookie } from '../../../../lib/session';
import { searchParamsOf } from '../search-params';

export const dynamic = 'force-dynamic';

function backToAudit(request: Request, code: string): NextResponse {
  // The configured public URL, never the request's Host header.
  const target = new URL('/audit', adminEnv().publicUrl);
  const incoming = new URL(request.url).searchParams;
  for (const [name, value] of incoming) if (name !== 'format') target.searchParams.append(name, value);
  target.searchParams.set('exportProblem', code);
  return NextResponse.redirect(target, 303);
}

export async function GET(request: Request): Promise<Response> {
  const content = await readAdminCookie();
  if (content?.stage !== 'session') return NextResponse.redirect(new URL('/sign-in?reason=expired', adminEnv().publicUrl), 303);
  const parsed = adminAuditExportQuery.safeParse(searchParamsOf(new URL(request.url).searchParams, ['format']));
  if (!parsed.success) return backToAudit(request, 'BAD_REQUEST');
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parsed.data)) query.set(name, value);
  const result = await gatewayGet({
    path: `${auditExportPath}?${query.toString()}`,
    bearer: content.token,
    accept: 'application/x-ndjson',
    signal: request.signal,
    // The export starts with a database read; allow for it before moving on to the next gateway.
    connectTimeoutMs: 15_000,
  });
  if (result.kind === 'refused') {
    if (result.status === 401) return NextResponse.redirect(new URL('/session-ended', adminEnv().publicUrl), 303);
    return backToAudit(request, result.code);
  }
  if (result.kind === 'unavailable') return backToAudit(request, 'GATEWAY_UNAVAILABLE');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new Response(passThrough(result.body), {
    headers: {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="holdfast-audit-${parsed.data.format}-${stamp}.ndjson"`,
      'cache-control': 'no-store',
    },
  });
}
