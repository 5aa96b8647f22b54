import type { Metadata } from 'next';
import { ComingSoon } from '../coming-soon';

export const metadata: Metadata = { title: 'Applications' };

export default function ApplicationsPage() {
  return (
    <ComingSoon
      title="Applications"
      description="Create applications; create, rotate and revoke API keys; callback URLs, WebAuthn origins, policies, lockout and push limits, webhooks and their delivery log."
    />
  );
}
