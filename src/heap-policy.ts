import { setFlagsFromString } from 'node:v8';

/**
 * Node options the service is started with (`npm start`, the Docker image's command and the bench;
 * a test keeps them in step): they size the heap when the process starts, so they cannot be set
 * from inside it. V8 on Node 24 lets the young generation grow to 32 MB a semi-space on a machine
 * with this much memory; during a load a young generation that large held about 100 MB more, and
 * caused more full collections, than one of 16 MB (docs/performance.md, "Memory").
 */
export const SERVICE_NODE_OPTIONS = ['--max-semi-space-size=16'] as const;

/** The old generation may grow by this share past what the last full collection kept. */
export const HEAP_GROWING_PERCENT = 20;

/**
 * Keeps the service's memory flat during long loads. Between full collections V8 lets the old
 * generation grow to several times what the last one kept, and a load promotes a little of every
 * batch, so with V8's default a long load sees few full collections while resident memory keeps
 * growing. With a small growing share V8 collects once the old generation has grown by that share:
 * more, short pauses, and a heap that stays about the same size. A `--heap-growing-percent` given
 * to node on its command line is left alone.
 */
export function applyHeapPolicy(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent/.test(arg))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
