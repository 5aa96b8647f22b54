import { describe, expect, it } from 'vitest';

import { recoveryCodeLookupTag, recoveryCodeLookupTagBits } from './recovery-code-lookup-tag';

describe('[RECOVERY_LOOKUP_TAG] the non-secret lookup tag', () => {
  it('is the same for any typing of the code, differs between sets, and stays within its bits', () => {
    const setId = '7a1c2b9e-0000-4000-8000-000000000001';
    const a = recoveryCodeLookupTag({ setId, code: 'ABCDE-FGHJK' });
    expect(recoveryCodeLookupTag({ setId, code: ' abcdefghjk ' })).toBe(a);
    expect(a).not.toBeNull();
    expect(a ?? -1).toBeGreaterThanOrEqual(0);
    expect(a ?? Number.POSITIVE_INFINITY).toBeLessThan(2 ** recoveryCodeLookupTagBits);
    const others = ['8', '9', 'a', 'b', 'c', 'd', 'e', 'f'].map((c) => recoveryCodeLookupTag({ setId: setId.replace(/1$/, c), code: 'ABCDE-FGHJK' }));
    expect(new Set([a, ...others]).size).toBeGreaterThan(1);
    expect(recoveryCodeLookupTag({ setId, code: 'not a code' })).toBeNull();
  });
});
