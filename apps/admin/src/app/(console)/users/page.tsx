import type { Metadata } from 'next';
import { ComingSoon } from '../coming-soon';

export const metadata: Metadata = { title: 'Users' };

export default function UsersPage() {
  return (
    <ComingSoon
      title="Users"
      description="Find a user by application and id; see their factors with status, lock and last use; unlock, revoke, send an enrollment link or issue a one-time bypass code."
    />
  );
}
