import os from 'node:os';
import v8 from 'node:v8';
import { Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadWorkerConfig } from '../config';
import { createCaseActivities } from '../activities/case-activities';
import { channelsFromConfig } from '../activities/transports/from-config';
import { describeChannels, loadChannelsConfig } from '../config/channels';
import { parseDataKey } from '../models/sealed-text';
import { connectDatabase } from '../models/connection';
import { migrateActivityData } from '../models/activity-data-migration';
import { watchRateCoverage } from '../models/rate-store';
import { createLogger } from '../observability/logger';
import { registerSearchAttributes } from './register-search-attributes';
import { sdkLoggerFor } from './sdk-logger';
import { workerNodeArgs, workerSizing } from './sizing';
import { workflowRuntimeOptions } from './workflow-bundle';

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

  const sizing = workerSizing({ totalMemoryBytes: os.totalmem(), ...config.sizing });
  const heapLimitMb = Math.round(v8.getHeapStatistics().heap_size_limit / (1024 * 1024));
  logger.info({ ...sizing, heapLimitMb }, 'worker sizing');
  // The cache is sized for the budget; a heap much larger than it (node started without the flag,
  // e.g. by hand) lets the process grow past the budget before V8 collects.
  if (heapLimitMb > sizing.heapMb * 1.25) {
    logger.warn(
      { heapLimitMb, expected: workerNodeArgs(sizing) },
      'the worker heap is larger than its memory budget: start node with the expected flag',
    );
  }

  const database = await connectDatabase(config.mongodb.uri);
  // Before any activity runs: the activities find sends, entries, tasks and alerts by their new `_id`.
  const migrated = await migrateActivityData(database);
  if (Object.values(migrated.moved).some((moved) => moved > 0) || migrated.incomplete) {
    logger.info(migrated, 'activity data moved to keyed documents');
  }
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...workflowRuntimeOptions(),
    // A workflow's tasks and queries go first to the worker that ran it last. When that worker was
    // killed, the server moves them to the shared queue after this delay (SDK default 10 s): kept
    // well under the API's 5 s wait for a live read and its 10 s for an action, so a restarted or
    // surviving worker answers in time instead of the read falling back to the stored state.
    stickyQueueScheduleToStartTimeout: '2s',
    // Bounded from the memory budget (worker/sizing.ts) so 10,000 open cases never grow the worker
    // past it: the cases beyond the cache replay their history when they wake.
    maxCachedWorkflows: sizing.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: sizing.maxConcurrentWorkflowTaskExecutions,
    maxConcurrentActivityTaskExecutions: sizing.maxConcurrentActivityTaskExecutions,
    maxConcurrentLocalActivityExecutions: sizing.maxConcurrentLocalActivityExecutions,
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
