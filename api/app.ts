import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Connection as TemporalConnection } from '@temporalio/client';
import type { Connection as DatabaseConnection } from 'mongoose';
import type { Logger } from '../observability/logger';
import { ApiError } from './errors';
import { checkHealth } from './health';

export interface ApiDependencies {
  temporal: TemporalConnection;
  database: DatabaseConnection;
  logger: Logger;
}

export function createApp({ temporal, database, logger }: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', async (_req, res) => {
    const report = await checkHealth(temporal, database);
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });

  app.use((req, _res, next) => next(new ApiError('not_found', `no route ${req.method} ${req.path}`)));

  const handleError: ErrorRequestHandler = (err, _req, res, _next) => {
    if (err instanceof ApiError) {
      res.status(err.status).json(err.toBody());
      return;
    }
    logger.error({ err }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error', details: [] } });
  };
  app.use(handleError);
  return app;
}
