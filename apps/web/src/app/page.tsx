export default function HomePage() {
  return (
    <>
      <h1>Two-step sign-in</h1>
      <p>
        To add an authenticator app or recovery codes to your account, open the enrollment link that the app or website you use sent you. Each link works once
        and for a limited time.
      </p>
    </>
  );
}
