import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = __dirname;

/** Every `src/<folder>` a folder's non-test files import from, read off their import lines. */
function folderImports(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) addFile(path);
    }
  };
  const addFile = (file: string): void => {
    const from = topFolder(file);
    if (!from) return;
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const match of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const to = topFolder(resolve(dirname(file), match[1]));
      if (to && to !== from) targets.add(to);
    }
  };
  walk(SRC);
  return graph;
}

function topFolder(path: string): string | null {
  const parts = relative(SRC, path).split('/');
  return parts.length > 1 ? parts[0] : null;
}

describe('the layers of src/', () => {
  const graph = folderImports();

  it('should keep config/ and common/ as the ground: config imports nothing, common only config', () => {
    expect([...(graph.get('config') ?? [])]).toEqual([]);
    expect([...(graph.get('common') ?? [])].filter((to) => to !== 'config')).toEqual([]);
  });

  it('should have no cycle between folders of src/', () => {
    const cycles: string[] = [];
    const visit = (node: string, path: string[]): void => {
      for (const next of graph.get(node) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else visit(next, [...path, next]);
      }
    };
    for (const node of graph.keys()) visit(node, [node]);
    expect(cycles).toEqual([]);
  });
});
