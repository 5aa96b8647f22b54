import { describe, expect, it } from 'vitest';
import { generateAdminPassword } from './admin';
import { parseAdminCreateArgs } from './admin-args';

describe('holdfast admin create arguments', () => {
  it('reads --flag value and --flag=value, and names what is missing or unknown', () => {
    expect(parseAdminCreateArgs(['--email', 'a@b.example', '--name=Ada L', '--role', 'owner'])).toEqual({ email: 'a@b.example', name: 'Ada L', role: 'owner' });
    expect(parseAdminCreateArgs(['--email', 'a@b.example'])).toBe('--email, --name and --role are required');
    expect(parseAdminCreateArgs(['--role'])).toBe('--role needs a value');
    expect(parseAdminCreateArgs(['--password', 'x'])).toBe('unknown argument "--password"');
  });

  it('generates passwords of at least 20 characters, different each time', () => {
    const a = generateAdminPassword();
    expect(a.length).toBeGreaterThanOrEqual(20);
    expect(generateAdminPassword()).not.toBe(a);
  });
});
