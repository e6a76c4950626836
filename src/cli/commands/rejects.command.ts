import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RunDetail } from '../api.types';
import { CliError, EXIT_OK, UsageError } from '../cli.error';
import type { CommandContext, CommandDefinition } from '../command.types';
import { plural } from '../run.formatter';

export const rejectsCommand: CommandDefinition = {
  name: 'rejects',
  summary: "Write a run's rows to fix: every row not written, as it was sent, after the file's header",
  args: '<id>',
  positionals: { min: 1, max: 1 },
  options: {
    reasons: {
      type: 'boolean',
      description: 'add line, field and reason columns to each row (for people, not for loading again)',
    },
    output: { type: 'string', short: 'o', valueName: 'file', description: 'write to this file (default: stdout)' },
  },
  details: [
    "The rows come as the run received them, in file order, with the file's header and delimiter: fix them and",
    'load the file again (rows already in are updated). GET /migrate/runs/<id>/rejects.csv gives the same.',
  ],
  examples: [
    'hr-migrate rejects 3 -o fix.csv',
    'hr-migrate load fix.csv --table hired_employees',
    'hr-migrate rejects 3 --reasons | less',
  ],
  run: async ({ line, api, terminal }: CommandContext) => {
    const id = line.positionals[0];
    if (!/^\d+$/.test(id)) throw new UsageError(`a run id is a positive integer; got '${id}'`, 'rejects');
    // The run first: an unknown id is one clear line, and the count is known for the message.
    const run = await api.getJson<RunDetail>(`/migrate/runs/${id}?rejectedLimit=1`);
    const body = await api.download(
      `/migrate/runs/${id}/rejects.csv${line.options.reasons === true ? '?reasons=true' : ''}`,
      'text/csv',
    );
    const output = line.options.output as string | undefined;
    if (output === undefined) {
      const decoder = new TextDecoder();
      for await (const chunk of body) terminal.out(decoder.decode(chunk, { stream: true }));
      terminal.out(decoder.decode());
      return EXIT_OK;
    }
    try {
      await pipeline(Readable.from(body), createWriteStream(output));
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`cannot write ${output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    terminal.err(`${plural(run.rowsRejected, 'row')} to fix written to ${output}\n`);
    return EXIT_OK;
  },
};
