import type { Metadata } from 'next';
import { ComingSoon } from '../coming-soon';

export const metadata: Metadata = { title: 'Audit' };

export default function AuditPage() {
  return (
    <ComingSoon
      title="Audit"
      description="The live audit stream, search by user, application, event type, gateway, region and time, each event's detail, export, and the sealed log's verification status."
    />
  );
}
