/** A console section that is not built yet: says what it will hold, so the navigation is honest. */
export function ComingSoon({ title, description }: { title: string; description: string }) {
  return (
    <>
      <h1>{title}</h1>
      <section className="card" aria-labelledby="coming-title">
        <h2 id="coming-title">Coming</h2>
        <p>{description}</p>
        <p className="muted">This section is not built yet.</p>
      </section>
    </>
  );
}
