/** One JSON line per event on stdout. Callers pass only non-secret fields. */
export function createLogger(base: Record<string, string>): (event: string, fields?: Record<string, unknown>) => void {
  return (event, fields) => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...base, ...fields })}\n`);
  };
}
