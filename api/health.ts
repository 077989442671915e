import type { Connection as TemporalConnection } from '@temporalio/client';
import type { Connection as DatabaseConnection } from 'mongoose';
import { pingDatabase } from '../models/connection';

export interface HealthReport {
  status: 'ok' | 'degraded';
  temporal: { status: 'up' | 'down' };
  database: { status: 'up' | 'down' };
}

async function pingTemporal(connection: TemporalConnection, timeoutMs = 2_000): Promise<boolean> {
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}

export async function checkHealth(temporal: TemporalConnection, database: DatabaseConnection): Promise<HealthReport> {
  const [temporalUp, databaseUp] = await Promise.all([pingTemporal(temporal), pingDatabase(database)]);
  return {
    status: temporalUp && databaseUp ? 'ok' : 'degraded',
    temporal: { status: temporalUp ? 'up' : 'down' },
    database: { status: databaseUp ? 'up' : 'down' },
  };
}
