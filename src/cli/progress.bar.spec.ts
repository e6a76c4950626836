import { rateAndEta, renderProgressLine } from './progress.bar';

describe('renderProgressLine', () => {
  it('should show the bar, percent, bytes, rate and time left when part is sent', () => {
    const line = renderProgressLine({ sent: 5_000_000, total: 20_000_000, elapsedMs: 1000 }, 100);
    expect(line).toMatch(/^uploading \[█+░+\] /);
    expect(line.endsWith(' 25%  5.00 MB / 20.0 MB  5.00 MB/s  3s left')).toBe(true);
  });

  it('should fill the bar when everything is sent', () => {
    expect(renderProgressLine({ sent: 10, total: 10, elapsedMs: 1000 }, 80)).not.toContain('░');
  });

  it('should fit the line in the terminal when the terminal is narrow', () => {
    expect(renderProgressLine({ sent: 1, total: 3, elapsedMs: 5000 }, 80).length).toBeLessThanOrEqual(80);
  });
});

describe('rateAndEta', () => {
  it('should say nothing when too little time has passed to measure a rate', () => {
    expect(rateAndEta({ sent: 100, total: 1000, elapsedMs: 10 })).toBe('');
  });
});
