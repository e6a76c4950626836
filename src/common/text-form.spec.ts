import { textFormProblem } from './text-form';

describe('textFormProblem', () => {
  it.each(['Harold', 'Zoë', '😀', 'a\u200Bb', 'Ana María', '李', '\u0600x'])(
    'should accept %j when it is well formed and something in it is visible',
    (text) => {
      expect(textFormProblem(text)).toBeUndefined();
    },
  );

  it.each(['A\uD800B', '\uD800', 'A\uDC00', '\uDC00\uD800', '😀\uD83D'])(
    'should call %j not well formed when it holds a lone surrogate',
    (text) => {
      expect(textFormProblem(text)).toBe('not-well-formed');
    },
  );

  it.each(['\u200B', '\u2060\uFEFF', '\u200C\u200D', '\u00AD', '\u3164', '\uFE0F', ' \u200B ', '\u180E'])(
    'should call %j invisible when it holds only white space and characters drawn as nothing',
    (text) => {
      expect(textFormProblem(text)).toBe('invisible');
    },
  );

  it.each(['\u2800', '\u200B\u2800', '\u{1D159}', ' \u2800 \u{1D159}'])(
    'should call %j invisible when it holds only characters drawn as a blank',
    (text) => {
      expect(textFormProblem(text)).toBe('invisible');
    },
  );

  it.each(['\u202Eevil', 'a\u202Db', 'x\u2066y\u2069', 'y\u009B31m', '\u0085next', 'bell\u0007', 'del\u007F'])(
    'should call %j a control when it holds a C0 or C1 control or a bidirectional override',
    (text) => {
      expect(textFormProblem(text)).toBe('control');
    },
  );

  it.each(['\u2800x', 'Ana\u200F', 'tab\there', 'ok \uFFFD'])(
    'should accept %j when a visible character stands beside a blank or a mark',
    (text) => {
      expect(textFormProblem(text)).toBeUndefined();
    },
  );
});
