import { compareNames } from './name-order';

describe('compareNames', () => {
  it('should ignore case and accents when the base letters differ', () => {
    const names = ['Zookeeper', 'Ökonom', 'économiste', 'Accounting', 'Łódź office', 'Ñandú'];
    expect([...names].sort(compareNames)).toEqual([
      'Accounting',
      'économiste',
      'Łódź office',
      'Ñandú',
      'Ökonom',
      'Zookeeper',
    ]);
  });

  it('should break a tie of base letters by the exact text when names differ only in case or accents', () => {
    expect(compareNames('Accounting', 'accounting')).toBeLessThan(0);
    expect(compareNames('accounting', 'Accounting')).toBeGreaterThan(0);
    expect(compareNames('Resume', 'Résumé')).toBeLessThan(0);
    expect(compareNames('same', 'same')).toBe(0);
  });

  it('should treat ß as ss and Œ as oe when comparing base letters', () => {
    expect(['Strasse', 'Straße', 'Strasbourg'].sort(compareNames)).toEqual(['Strasbourg', 'Strasse', 'Straße']);
    expect(['Oeuvre', 'Œuvre', 'Ode'].sort(compareNames)).toEqual(['Ode', 'Oeuvre', 'Œuvre']);
  });
});
