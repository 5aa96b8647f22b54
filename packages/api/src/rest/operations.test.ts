import { describe, expect, it } from 'vitest';
import { applicationProcedurePaths, restOperations, restPathOf } from './operations';

describe('REST operations table', () => {
  it('follows the path rule: `.` → `/`, camelCase → kebab-case, under /v1/', () => {
    expect(restPathOf('verify.totp')).toBe('/v1/verify/totp');
    expect(restPathOf('enrollment.createLink')).toBe('/v1/enrollment/create-link');
    expect(restPathOf('preauth')).toBe('/v1/preauth');
    for (const operation of restOperations) expect(operation.path).toBe(restPathOf(operation.procedure));
  });

  it('has exactly one operation per relying-application procedure of the router', () => {
    const declared = restOperations.map((operation) => operation.procedure).sort();
    expect(declared).toEqual(applicationProcedurePaths().sort());
    expect(new Set(declared).size).toBe(declared.length);
  });
});
