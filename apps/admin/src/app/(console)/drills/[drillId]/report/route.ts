// A drill's markdown report as a download (text/markdown), read through admin.drills.get with the
// admin bearer from the cookie — the same words `npm run drill` wrote beside its JSON.
import { NextResponse } from 'next/server';
import { adminEnv } from '../../../../../env';
import { getDrill } from '../../../../../lib/admin-api-drills';
import { GatewayError } from '../../../../../lib/gateway';
import { readAdminCookie } from '../../../../../lib/session';

export const dynamic = 'force-dynamic';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function plain(status: number, text: string): Response {
  return new Response(`${text}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}

export async function GET(_request: Request, { params }: { params: Promise<{ drillId: string }> }): Promise<Response> {
  const content = await readAdminCookie();
  if (content?.stage !== 'session') return NextResponse.redirect(new URL('/sign-in?reason=expired', adminEnv().publicUrl), 303);
  const { drillId } = await params;
  if (!uuidPattern.test(drillId)) return plain(404, 'There is no drill report with this id.');
  try {
    const drill = await getDrill(content.token, { id: drillId.toLowerCase() });
    if (drill === null) return plain(404, 'There is no drill report with this id.');
    const name = `drill-${drill.scenario.replace(/[^a-z0-9-]+/gi, '-')}-${drill.startedAt.replace(/[:.]/g, '-')}.md`;
    return new Response(drill.markdown, {
      headers: { 'content-type': 'text/markdown; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' },
    });
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'ADMIN_SESSION_INVALID')
      return NextResponse.redirect(new URL('/session-ended', adminEnv().publicUrl), 303);
    if (error instanceof GatewayError && error.code === 'ADMIN_FORBIDDEN') return plain(403, 'Your role does not allow this.');
    if (!(error instanceof GatewayError)) console.error('holdfast admin: drill report download failed', error);
    return plain(503, 'The Holdfast gateways are not answering right now; try again in a minute.');
  }
}
