import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Connection as DatabaseConnection } from 'mongoose';
import { createApp } from '../../api/app';
import { createLogger } from '../../observability/logger';
import { connectTestDatabase, dropTestDatabase } from '../helpers/database';
import { withServer } from '../helpers/http';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { findFreePort } from '../../scripts/local-stack/ports';

let env: TestWorkflowEnvironment;
let database: DatabaseConnection;
const logger = createLogger('test', 'silent');
const appFor = (temporal: Connection, db: DatabaseConnection) =>
  createApp({
    temporal,
    database: db,
    logger,
    namespace: 'default',
    taskQueue: 'health',
    keys: [],
    dataKey: randomBytes(32),
  });

beforeAll(async () => {
  [env, database] = await Promise.all([createTimeSkippingEnv(), connectTestDatabase('health')]);
});

afterAll(async () => {
  await Promise.all([env?.teardown(), database && dropTestDatabase(database)]);
});

test('GET /health is 200 when Temporal and the database answer', async () => {
  const app = appFor(env.connection, database);
  await withServer(app, async (url) => {
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', temporal: { status: 'up' }, database: { status: 'up' } });
  });
});

test('GET /health is 503 and names Temporal when Temporal cannot be reached', async () => {
  const unreachable = Connection.lazy({ address: `127.0.0.1:${await findFreePort()}` });
  const app = appFor(unreachable, database);
  await withServer(app, async (url) => {
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'degraded',
      temporal: { status: 'down' },
      database: { status: 'up' },
    });
  });
  await unreachable.close();
});

test('GET /health is 503 and names the database when it is closed', async () => {
  const closed = await connectTestDatabase('health_closed');
  await closed.close();
  const app = appFor(env.connection, closed);
  await withServer(app, async (url) => {
    const response = await fetch(`${url}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ temporal: { status: 'up' }, database: { status: 'down' } });
  });
});

test('an unknown route answers the contract error body', async () => {
  const app = appFor(env.connection, database);
  await withServer(app, async (url) => {
    const response = await fetch(`${url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'not_found', message: 'no route GET /nope', details: [] },
    });
  });
});
