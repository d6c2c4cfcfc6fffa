/**
 * Bidirectional overrides and isolates are refused where control characters are (names,
 * owners, codes): a right-to-left override in a code would make `berth agents` show a row that
 * reads differently from what it holds. Reasons and messages may still carry them.
 */
import { describe, expect, it } from 'vitest';
import {
  CommandResultBodySchema,
  OwnerSchema,
  RegisterBodySchema,
  SelfHostedNameSchema,
} from '../src/schemas.js';

const BIDI = ['\u202e', '\u202a', '\u202d', '\u2066', '\u2067', '\u2069'];

describe('bidi controls in names, owners and codes', () => {
  it('are refused, naming the field', () => {
    for (const c of BIDI) {
      const code = `prod${c}bd-`;
      const reg = RegisterBodySchema.safeParse({ registrationToken: 'tok', code });
      expect(reg.success, JSON.stringify(code)).toBe(false);
      expect(reg.error?.issues.map((i) => i.path.join('.'))).toEqual(['code']);
      expect(SelfHostedNameSchema.safeParse(`Host ${c}one`).success).toBe(false);
      expect(OwnerSchema.safeParse(`acme${c}`).success).toBe(false);
      const result = CommandResultBodySchema.safeParse({ ok: false, error: { code, message: 'm' } });
      expect(result.error?.issues[0]?.path).toEqual(['error', 'code']);
    }
  });

  it('other non-ASCII text stays allowed, and messages may hold anything', () => {
    expect(SelfHostedNameSchema.safeParse('Hôte ünö ✓ العربية').success).toBe(true);
    expect(RegisterBodySchema.safeParse({ registrationToken: 'tok', code: 'prod-db ✓' }).success).toBe(true);
    const ok = CommandResultBodySchema.safeParse({
      ok: false,
      error: { code: 'E', message: '\u202eanything' },
    });
    expect(ok.success).toBe(true);
  });
});
