/** `--email e --name n --role r` (also `--email=e`); an error sentence for anything else. */
export function parseAdminCreateArgs(args: readonly string[]): { email: string; name: string; role: string } | string {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const match = /^--(email|name|role)(?:=(.*))?$/.exec(arg);
    if (match?.[1] === undefined) return `unknown argument ${JSON.stringify(arg)}`;
    const value = match[2] ?? args[(i += 1)];
    if (value === undefined) return `--${match[1]} needs a value`;
    values[match[1]] = value;
  }
  const { email, name, role } = values;
  if (email === undefined || name === undefined || role === undefined) return '--email, --name and --role are required';
  return { email, name, role };
}
