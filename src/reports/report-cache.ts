interface Entry {
  version: number;
  expiresAt: number;
  value: Promise<unknown>;
}

/**
 * Remembers report answers by key. An entry is stale when the data version moved (a write in this
 * process) or its time to live passed (a write elsewhere). Concurrent requests for a missing entry
 * share one query; a failed query is forgotten so the next request tries again.
 */
export class ReportCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly version: () => number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const version = this.version();
    const hit = this.entries.get(key);
    if (hit && hit.version === version && hit.expiresAt > this.now()) return hit.value as Promise<T>;
    const value = load();
    const entry: Entry = { version, expiresAt: this.now() + this.ttlMs, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }
}
