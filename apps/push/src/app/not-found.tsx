export default function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <a href="/">See your sign-in requests</a>
      </p>
    </>
  );
}
