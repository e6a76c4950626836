import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { applyHeapPolicy, HEAP_GROWING_PERCENT, SERVICE_NODE_OPTIONS } from './heap-policy';

jest.mock('node:v8', () => ({ setFlagsFromString: jest.fn() }));
const setFlags = jest.mocked(setFlagsFromString);

describe('applyHeapPolicy', () => {
  beforeEach(() => setFlags.mockClear());

  it('should set the heap growing percent when node was started without one', () => {
    applyHeapPolicy(['--enable-source-maps']);
    expect(setFlags).toHaveBeenCalledWith(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });

  it.each([['--heap-growing-percent=50'], ['--heap_growing_percent=50']])(
    'should leave the setting of the command line alone (%s)',
    (flag) => {
      applyHeapPolicy(['--trace-gc', flag]);
      expect(setFlags).not.toHaveBeenCalled();
    },
  );
});

describe('SERVICE_NODE_OPTIONS', () => {
  const root = join(__dirname, '..');
  const node = ['node', ...SERVICE_NODE_OPTIONS, 'dist/main.js'];

  it('should be what npm start and start:prod give node', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.start).toBe(node.join(' '));
    expect(scripts['start:prod']).toBe(node.join(' '));
  });

  it("should be what the Docker image's command gives node", () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`CMD ${JSON.stringify(node).replace(/,/g, ', ')}`);
  });
});
