import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { config as loadDotenv } from 'dotenv';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';
import { applyHeapPolicy } from './heap-policy';
import { AppLogger } from './observability/app-logger';

async function bootstrap(): Promise<void> {
  applyHeapPolicy();
  loadDotenv({ quiet: true });
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Before the application exists too, so that a failed start is logged in the chosen format.
  Logger.overrideLogger(new AppLogger(config.logging));
  const app = await createApp(config);
  await app.listen(config.port);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  const logger = new Logger('Bootstrap');
  logger.log(`Listening on ${url} (database: ${config.database.type}); API docs at ${url}/docs`);
  const generated = config.generatedApiKey;
  if (generated) {
    const kept = generated.created ? 'made now and kept' : 'kept';
    logger.log(`API_KEY is not set: using the key ${kept} in ${generated.file} (readable by its owner only)`);
    // On the console, never through the logger: log lines are collected and kept, keys must not be.
    // On stderr with LOG_FORMAT=json, whose stdout holds JSON lines only.
    const line = `API key (kept in ${generated.file}): ${generated.key}\n`;
    if (config.logging.format === 'json') process.stderr.write(line);
    else process.stdout.write(line);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // Before Nest's own handler, which closes the application and then ends the process.
    process.prependOnceListener(signal, () =>
      logger.log(`${signal} received: stopping (new requests refused, async loads stopped, connections closed)`),
    );
  }
}

bootstrap().catch((error: unknown) => {
  new Logger('Bootstrap').error(
    `The service could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
