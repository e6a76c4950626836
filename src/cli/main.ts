import { runCli } from './cli.runner';
import { processTerminal } from './terminal';

// Exit through exitCode, not process.exit(), so stdout is flushed when it is a pipe.
void runCli(process.argv.slice(2), process.env, processTerminal()).then((code) => {
  process.exitCode = code;
});
