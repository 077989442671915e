import { Connection } from '@temporalio/client';
import { loadApiConfig } from '../config';
import { connectDatabase } from '../models/connection';
import { createLogger } from '../observability/logger';
import { createApp } from './app';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const logger = createLogger('api', config.logLevel);
  // Lazy: the API comes up (and /health says what is down) even while Temporal is unreachable.
  const temporal = Connection.lazy({ address: config.temporal.address });
  const database = await connectDatabase(config.mongodb.uri);
  const app = createApp({ temporal, database, logger });
  const server = app.listen(config.api.port, config.api.host, () => {
    logger.info({ host: config.api.host, port: config.api.port }, 'API listening');
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'API shutting down');
    server.close(() => {
      void Promise.all([database.close(), temporal.close()]).finally(() => process.exit(0));
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
