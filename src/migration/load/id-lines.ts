const PAGE_BITS = 10;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
/** Below this share of used slots, pages cost more than a hash table: switch. */
const MIN_PAGES_TO_SWITCH = 64;
const MIN_FILL = 1 / 8;

/**
 * The first line of every id seen in an upload, outside the JavaScript heap: a `Map` of millions
 * of entries costs 30–40 bytes an id and long garbage-collection pauses. Ids that come mostly in
 * runs (the usual case) take pages of 1,024 slots; scattered ids move to an open-addressing hash
 * table, 8 bytes a slot. Ids are 1..2^31-1 and lines start at 1, so 0 is "none".
 */
export class IdLines {
  private pages: Map<number, IdPage> | null = new Map();
  private table: IdHashTable | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): number | undefined {
    let line: number;
    if (this.pages) {
      const page = this.pages.get(id >>> PAGE_BITS);
      line = page === undefined ? 0 : page.get(id);
    } else {
      line = (this.table as IdHashTable).get(id);
    }
    return line === 0 ? undefined : line;
  }

  /** Records `line` for an id not seen before. */
  set(id: number, line: number): void {
    this.count++;
    if (this.pages) {
      let page = this.pages.get(id >>> PAGE_BITS);
      if (page === undefined) {
        const pages = this.pages.size;
        if (pages >= MIN_PAGES_TO_SWITCH && pages * PAGE_SIZE * MIN_FILL > this.count) {
          this.switchToTable();
          (this.table as IdHashTable).set(id, line);
          return;
        }
        page = new IdPage(line - id);
        this.pages.set(id >>> PAGE_BITS, page);
      }
      page.set(id, line);
      return;
    }
    (this.table as IdHashTable).set(id, line);
  }

  private switchToTable(): void {
    const table = new IdHashTable(this.count * 2);
    for (const [key, page] of this.pages as Map<number, IdPage>) {
      for (let i = 0; i < PAGE_SIZE; i++) {
        const line = page.get(key * PAGE_SIZE + i);
        if (line !== 0) table.set(key * PAGE_SIZE + i, line);
      }
    }
    this.pages = null;
    this.table = table;
  }
}

/**
 * 1,024 consecutive ids. While every id of the page sits the same distance from its line (a file
 * sorted by id, the usual case) a bit an id is enough: 128 bytes a page. The first id that breaks the pattern turns the page into 4 bytes a slot.
 */
export class IdPage {
  private bits: Uint32Array | null = new Uint32Array(PAGE_SIZE / 32);
  private lines: Uint32Array | null = null;

  constructor(private readonly distance: number) {}

  get(id: number): number {
    const slot = id & PAGE_MASK;
    if (this.lines) return this.lines[slot];
    const bits = this.bits as Uint32Array;
    return (bits[slot >>> 5] >>> (slot & 31)) & 1 ? id + this.distance : 0;
  }

  set(id: number, line: number): void {
    const slot = id & PAGE_MASK;
    if (!this.lines && line - id !== this.distance) this.spread(id);
    if (this.lines) this.lines[slot] = line;
    else (this.bits as Uint32Array)[slot >>> 5] |= 1 << (slot & 31);
  }

  private spread(anyId: number): void {
    const base = anyId - (anyId & PAGE_MASK);
    const lines = new Uint32Array(PAGE_SIZE);
    for (let slot = 0; slot < PAGE_SIZE; slot++) lines[slot] = this.get(base + slot);
    this.lines = lines;
    this.bits = null;
  }
}

/** Linear probing over typed arrays; grows at 3/4 full. Keys are positive int32. */
class IdHashTable {
  private keys: Int32Array;
  private lines: Uint32Array;
  private used = 0;

  constructor(expected: number) {
    let capacity = 1024;
    while (capacity * 0.75 < expected) capacity *= 2;
    this.keys = new Int32Array(capacity);
    this.lines = new Uint32Array(capacity);
  }

  get(id: number): number {
    const mask = this.keys.length - 1;
    for (let slot = hash(id) & mask; ; slot = (slot + 1) & mask) {
      const key = this.keys[slot];
      if (key === id) return this.lines[slot];
      if (key === 0) return 0;
    }
  }

  set(id: number, line: number): void {
    if ((this.used + 1) * 4 > this.keys.length * 3) this.grow();
    const mask = this.keys.length - 1;
    let slot = hash(id) & mask;
    while (this.keys[slot] !== 0 && this.keys[slot] !== id) slot = (slot + 1) & mask;
    if (this.keys[slot] === 0) this.used++;
    this.keys[slot] = id;
    this.lines[slot] = line;
  }

  private grow(): void {
    const { keys, lines } = this;
    this.keys = new Int32Array(keys.length * 2);
    this.lines = new Uint32Array(keys.length * 2);
    this.used = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.set(keys[i], lines[i]);
  }
}

function hash(id: number): number {
  const h = Math.imul(id, 0x9e3779b1);
  return h ^ (h >>> 16);
}
