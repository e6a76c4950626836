import { Logger } from '@nestjs/common';

// Tests provoke failures on purpose (a lost connection, a refused batch, a stopped upload); the
// warnings the service logs for them would bury the results. TEST_LOG=1 shows them.
if (!process.env.TEST_LOG) Logger.overrideLogger(false);
