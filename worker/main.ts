import { Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadWorkerConfig } from '../config';
import { createCaseActivities } from '../activities/case-activities';
import { channelsFromConfig } from '../activities/transports/from-config';
import { describeChannels, loadChannelsConfig } from '../config/channels';
import { parseDataKey } from '../models/sealed-text';
import { connectDatabase } from '../models/connection';
import { watchRateCoverage } from '../models/rate-store';
import { createLogger } from '../observability/logger';
import { registerSearchAttributes } from './register-search-attributes';
import { sdkLoggerFor } from './sdk-logger';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const channelsConfig = loadChannelsConfig();
  const logger = createLogger('worker', config.logLevel);
  logger.info({ channels: describeChannels(channelsConfig) }, 'message channels');
  const channels = channelsFromConfig(channelsConfig);
  Runtime.install({ logger: sdkLoggerFor(logger) });

  const client = await Connection.connect({ address: config.temporal.address });
  const registered = await registerSearchAttributes(client, config.temporal.namespace);
  if (registered.length) logger.info({ registered }, 'registered search attributes');
  await client.close();

  const database = await connectDatabase(config.mongodb.uri);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    // A workflow's tasks and queries go first to the worker that ran it last. When that worker was
    // killed, the server moves them to the shared queue after this delay (SDK default 10 s): kept
    // well under the API's 5 s wait for a live read and its 10 s for an action, so a restarted or
    // surviving worker answers in time instead of the read falling back to the stored state.
    stickyQueueScheduleToStartTimeout: '2s',
    ...(config.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: config.maxCachedWorkflows }),
    activities: createCaseActivities({
      connection: database,
      dataKey: parseDataKey(config.dataKey),
      logger,
      transports: channels.transports,
      dossierDelivery: channels.dossierDelivery,
      letters: { preferElectronicRegisteredMail: channelsConfig.preferElectronicRegisteredMail },
    }),
  });
  logger.info({ taskQueue: config.temporal.taskQueue }, 'worker running');
  const stopRateCheck = watchRateCoverage(database, logger);
  // worker.run() resolves after SIGINT/SIGTERM, once in-flight tasks have completed.
  await worker.run();
  stopRateCheck();
  await Promise.all([connection.close(), database.close()]);
  logger.info('worker stopped');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
