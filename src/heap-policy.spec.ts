import { setFlagsFromString } from 'node:v8';
import { applyHeapPolicy, HEAP_GROWING_PERCENT } from './heap-policy';

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
