export default function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>There is nothing at this address. If you followed an enrollment link, check that you copied all of it.</p>
    </>
  );
}
