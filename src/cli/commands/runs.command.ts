import type { RunDetail, RunList } from '../api.types';
import { EXIT_OK, UsageError } from '../cli.error';
import type { CommandContext, CommandDefinition } from '../command.types';
import { formatRunDetail, formatRunList } from '../run.formatter';

export const runsCommand: CommandDefinition = {
  name: 'runs',
  summary: 'List the migration runs, newest first',
  args: '',
  positionals: { min: 0, max: 0 },
  options: {
    limit: {
      type: 'string',
      valueName: 'n',
      integer: { min: 1, max: 1000 },
      description: 'how many runs (default 20)',
    },
  },
  examples: ['hr-migrate runs --limit 5'],
  run: async ({ line, api, terminal }: CommandContext) => {
    const limit = (line.options.limit as string | undefined) ?? '20';
    const list = await api.getJson<RunList>(`/migrate/runs?limit=${limit}`);
    terminal.out(line.global.json ? `${JSON.stringify(list, null, 2)}\n` : formatRunList(list));
    return EXIT_OK;
  },
};

export const runCommand: CommandDefinition = {
  name: 'run',
  summary: 'Show one run and its rejected rows, a page at a time: line, field, value, reason',
  args: '<id>',
  positionals: { min: 1, max: 1 },
  options: {
    offset: {
      type: 'string',
      valueName: 'n',
      integer: { min: 0, max: 2 ** 31 },
      description: 'rejected rows to skip (default 0)',
    },
    limit: {
      type: 'string',
      valueName: 'n',
      integer: { min: 1, max: 1000 },
      description: 'rejected rows to show (default 100)',
    },
  },
  examples: ['hr-migrate run 3', 'hr-migrate run 3 --offset 100 --limit 500'],
  run: async ({ line, api, terminal }: CommandContext) => {
    const id = line.positionals[0];
    if (!/^\d+$/.test(id)) throw new UsageError(`a run id is a positive integer; got '${id}'`, 'run');
    const offset = (line.options.offset as string | undefined) ?? '0';
    const limit = (line.options.limit as string | undefined) ?? '100';
    const run = await api.getJson<RunDetail>(`/migrate/runs/${id}?rejectedOffset=${offset}&rejectedLimit=${limit}`);
    terminal.out(line.global.json ? `${JSON.stringify(run, null, 2)}\n` : formatRunDetail(run, Number(offset)));
    return EXIT_OK;
  },
};
