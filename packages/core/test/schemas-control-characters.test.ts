/** Codes, like names, refuse control characters: they are shown to people (a code becomes a name). */
import { describe, expect, it } from 'vitest';
import { AgentNameSchema, CommandResultBodySchema, RegisterBodySchema } from '../src/schemas.js';

const ESCAPES = ['\u001b[2K\rprod-db', 'a\u0007b', 'x\u009by', 'line\nbreak', 'nul\u0000'];

describe('control characters in names and codes', () => {
  it('a registration code with a control character is refused, naming `code`', () => {
    for (const code of ESCAPES) {
      const result = RegisterBodySchema.safeParse({ registrationToken: 'tok', code });
      expect(result.success, JSON.stringify(code)).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['code']);
    }
    expect(RegisterBodySchema.safeParse({ registrationToken: 'tok', code: 'prod-db ✓' }).success).toBe(true);
  });

  it("a command error's code with a control character is refused; its message may hold anything", () => {
    for (const code of ESCAPES) {
      const result = CommandResultBodySchema.safeParse({ ok: false, error: { code, message: 'm' } });
      expect(result.success, JSON.stringify(code)).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['error', 'code']);
    }
    const ok = CommandResultBodySchema.safeParse({ ok: false, error: { code: 'E_X', message: ESCAPES[0] } });
    expect(ok.success).toBe(true);
  });

  it('names refuse them too', () => {
    for (const name of ESCAPES) expect(AgentNameSchema.safeParse(name).success).toBe(false);
  });
});
