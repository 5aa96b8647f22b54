import type { Metadata } from 'next';
import { linkProblemText, type LinkProblem } from '../../../lib/messages';

export const metadata: Metadata = { title: 'Enrollment link' };

function isLinkProblem(value: unknown): value is LinkProblem {
  return typeof value === 'string' && Object.hasOwn(linkProblemText, value);
}

export default async function LinkProblemPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { reason } = await searchParams;
  const text = linkProblemText[isLinkProblem(reason) ? reason : 'invalid'];
  return (
    <section className="notice" aria-labelledby="problem-title">
      <h1 id="problem-title">{text.title}</h1>
      <p>{text.body}</p>
    </section>
  );
}
