import { ReportCache } from './report-cache';

describe('ReportCache', () => {
  let version: number;
  let now: number;
  let cache: ReportCache;
  let loads: number;
  const load = async (): Promise<number> => ++loads;

  beforeEach(() => {
    version = 0;
    now = 1_000;
    loads = 0;
    cache = new ReportCache(
      () => version,
      30_000,
      () => now,
    );
  });

  it('should answer from memory when the same key is asked again within the TTL and version', async () => {
    await expect(cache.get('a', load)).resolves.toBe(1);
    await expect(cache.get('a', load)).resolves.toBe(1);
    expect(loads).toBe(1);
  });

  it('should keep keys apart when two keys are asked', async () => {
    await expect(cache.get('a', load)).resolves.toBe(1);
    await expect(cache.get('b', load)).resolves.toBe(2);
  });

  it('should load again when the data version changed', async () => {
    await cache.get('a', load);
    version += 1;
    await expect(cache.get('a', load)).resolves.toBe(2);
  });

  it('should load again when the TTL passed', async () => {
    await cache.get('a', load);
    now += 30_000;
    await expect(cache.get('a', load)).resolves.toBe(2);
  });

  it('should share one load when requests arrive while it runs', async () => {
    const [a, b] = await Promise.all([cache.get('a', load), cache.get('a', load)]);
    expect([a, b]).toEqual([1, 1]);
    expect(loads).toBe(1);
  });

  it('should forget a failed load when the next request comes', async () => {
    await expect(cache.get('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(cache.get('a', load)).resolves.toBe(1);
  });
});
