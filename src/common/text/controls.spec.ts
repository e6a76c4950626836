import { escapeControls, withoutControls } from './controls';

describe('withoutControls', () => {
  it('should take C0 and C1 controls and bidirectional overrides out of a name when a sender put them in', () => {
    expect(withoutControls('departments\n2021-01-01 LOG [Auth] FORGED\x1b[2J\u009b\u202E.csv')).toBe(
      'departments2021-01-01 LOG [Auth] FORGED[2J.csv',
    );
    expect(withoutControls('Zoë team\t.csv')).toBe('Zoë team.csv');
  });
});

describe('escapeControls', () => {
  it('should write each control as an escape so that a log line stays one line', () => {
    expect(escapeControls('a.csv\n[Auth] admin login OK (FORGED)\r\x1b]0;t\x07\u009b\u2066')).toBe(
      'a.csv\\n[Auth] admin login OK (FORGED)\\r\\x1b]0;t\\x07\\x9b\\u2066',
    );
  });
});
