import { Connection } from '@temporalio/client';
import { loadApiConfig } from '../config';
import { loadChannelsConfig } from '../config/channels';
import { migrateCaseRecords } from '../models/case-record';
import { connectDatabaseInBackground } from '../models/connection';
import { watchRateCoverage } from '../models/rate-store';
import { parseDataKey } from '../models/sealed-text';
import { createLogger } from '../observability/logger';
import { createApi } from './app';

/** How often the API looks for cases whose intake stopped between the record and the workflow. */
const INTAKE_SWEEP_MS = 60_000;

/** At most this many old-shape case records are moved per sweep: about 4 writes each, well under a minute. */
const RECORDS_MIGRATED_PER_SWEEP = 2_000;

/**
 * Once the driver has lost the database it waits this long for it before a command fails: short,
 * so that a request during an outage gets its 503 in a couple of seconds instead of hanging.
 */
const DATABASE_SELECTION_TIMEOUT_MS = 2_000;

async function main(): Promise<void> {
  const config = loadApiConfig();
  const channels = loadChannelsConfig();
  const logger = createLogger('api', config.logLevel);
  // Lazy: the API comes up (and /health says what is down) even while Temporal is unreachable.
  const temporal = Connection.lazy({ address: config.temporal.address });
  // In the background too: while the database is down (at start or later) every route that needs it
  // answers 503 at once and /health says so; it recovers by itself when the database is back.
  const database = connectDatabaseInBackground(config.mongodb.uri, {
    serverSelectionTimeoutMS: DATABASE_SELECTION_TIMEOUT_MS,
    onRetry: (error, delayMs) =>
      logger.warn({ errName: (error as Error)?.name, retryInMs: delayMs }, 'database unreachable; retrying'),
  });
  const { app, intake } = createApi({
    temporal,
    database,
    logger,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    keys: config.api.keys,
    dataKey: parseDataKey(config.dataKey),
    webhooks: {
      ...(channels.emailWebhook ? { sendgrid: channels.emailWebhook } : {}),
      ...(channels.letterWebhook ? { letters: channels.letterWebhook } : {}),
      // Twilio signs the public URL it called: without it no signature can be checked.
      ...(channels.sms && channels.publicBaseUrl
        ? { twilio: { authToken: channels.sms.authToken, publicBaseUrl: channels.publicBaseUrl } }
        : {}),
    },
  });
  if (config.api.keys.length === 0) logger.warn('API_KEYS is empty: every route but /health answers 401');
  const server = app.listen(config.api.port, config.api.host, () => {
    logger.info({ host: config.api.host, port: config.api.port }, 'API listening');
  });

  // Records stored before cases were keyed by case id move first, a bounded batch per sweep, until
  // a sweep finds none (models/case-record.ts): their unfinished intakes then join the sweep's.
  let recordsMigrated = false;
  const sweep = async () => {
    try {
      if (!recordsMigrated) {
        const migration = await migrateCaseRecords(database, { maxRecords: RECORDS_MIGRATED_PER_SWEEP });
        recordsMigrated = migration.moved < RECORDS_MIGRATED_PER_SWEEP;
        if (migration.moved > 0) logger.info(migration, 'case records moved to their case id');
      }
      await intake.startPendingWorkflows();
    } catch (error) {
      logger.warn({ errName: (error as Error)?.name }, 'intake sweep failed; next try in a minute');
    }
  };
  void sweep();
  const sweeper = setInterval(sweep, INTAKE_SWEEP_MS);
  sweeper.unref();
  const stopRateCheck = watchRateCoverage(database, logger);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'API shutting down');
    clearInterval(sweeper);
    stopRateCheck();
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
