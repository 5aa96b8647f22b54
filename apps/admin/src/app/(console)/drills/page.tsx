import type { Metadata } from 'next';
import { ComingSoon } from '../coming-soon';

export const metadata: Metadata = { title: 'Drills' };

export default function DrillsPage() {
  return (
    <ComingSoon title="Drills" description="The history of failover drills with each report's targets and a per-second chart of sent, accepted and p99." />
  );
}
