/**
 * The one place where the environment is read. Every process (API, worker, local stack, tests)
 * calls `loadConfig` / `loadLocalStackConfig`, so a wrong or missing variable stops start-up with
 * a message naming it, instead of failing later in some unrelated corner.
 */
import { z } from 'zod';

export const ROLES = ['operations', 'agent', 'manager'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  role: Role;
  key: string;
}

const hostPort = z.string().regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233');

const port = z.coerce.number().int().min(1).max(65535);

/**
 * API_KEYS is `role:key` pairs separated by commas, e.g. `operations:abc…,manager:def…`.
 * Several keys may share a role (one per person or integration), which is what lets a key be
 * revoked without touching the others.
 */
const apiKeys = z
  .string()
  .default('')
  .transform((raw, ctx): ApiKey[] => {
    const entries = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const keys: ApiKey[] = [];
    for (const [index, entry] of entries.entries()) {
      const separator = entry.indexOf(':');
      const role = entry.slice(0, separator);
      const key = entry.slice(separator + 1);
      // The key itself is never echoed: error messages end up in logs.
      if (separator < 0 || !(ROLES as readonly string[]).includes(role)) {
        ctx.addIssue({
          code: 'custom',
          message: `entry ${index + 1} must be role:key with role one of ${ROLES.join(', ')}`,
        });
      } else if (key.length < 16) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} (${role}): key must be at least 16 characters` });
      } else {
        keys.push({ role: role as Role, key });
      }
    }
    return keys;
  });

const appEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('amiable-cases'),
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/.+/, 'expected a mongodb:// or mongodb+srv:// connection string')
    .default('mongodb://127.0.0.1:27017/amiable'),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  API_KEYS: apiKeys,
  /**
   * 32 bytes, base64: seals the free text people type (replies, notes) on its way through
   * Temporal, whose history the Web UI shows (R7). The worker and the API need the same key.
   */
  DATA_KEY: z
    .string()
    .optional()
    .refine(
      (value) => value === undefined || isDataKey(value),
      'must be 32 random bytes in base64 (openssl rand -base64 32)',
    ),
});

function isDataKey(value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  /** Base64; see DATA_KEY. */
  dataKey?: string;
  logLevel: string;
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string };
  mongodb: { uri: string };
  api: { host: string; port: number; keys: ApiKey[] };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function parseOrThrow<T extends z.ZodType>(schema: T, env: Env): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** Empty strings count as unset, so `FOO=` in a .env file falls back to the default. */
function withoutEmpty(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

export function loadConfig(env: Env = process.env): AppConfig {
  const parsed = parseOrThrow(appEnvSchema, withoutEmpty(env));
  return {
    env: parsed.NODE_ENV,
    logLevel: parsed.LOG_LEVEL,
    temporal: {
      address: parsed.TEMPORAL_ADDRESS,
      namespace: parsed.TEMPORAL_NAMESPACE,
      taskQueue: parsed.TEMPORAL_TASK_QUEUE,
      uiUrl: parsed.TEMPORAL_UI_URL,
    },
    mongodb: { uri: parsed.MONGODB_URI },
    api: { host: parsed.API_HOST, port: parsed.API_PORT, keys: parsed.API_KEYS },
    ...(parsed.DATA_KEY ? { dataKey: parsed.DATA_KEY } : {}),
  };
}

const workerEnvSchema = z.object({
  /**
   * Workflows the worker keeps in memory between tasks (SDK default: from the memory available).
   * 0 turns the cache off, and with it sticky queues: every task replays its history, and any live
   * worker takes any workflow's task. Only for a server that never moves a dead worker's sticky
   * tasks to the shared queue, as the time-skipping test server (npm run bench:faults).
   */
  TEMPORAL_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  /**
   * The worker's memory budget: its cache, its concurrency and its Node heap are sized from it
   * (worker/sizing.ts). Default: a quarter of the machine's memory, at most 1024.
   */
  AMIABLE_WORKER_MEMORY_MB: z.coerce.number().int().min(512).max(1_048_576).optional(),
  /** Activities run at once (default from the budget, 8 to 50). */
  AMIABLE_WORKER_ACTIVITY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  /** Workflow tasks run at once (default 10; never more than the cache holds). */
  AMIABLE_WORKER_WORKFLOW_TASK_CONCURRENCY: z.coerce.number().int().min(2).max(1000).optional(),
});

/** The operator's overrides of the worker's sizing; worker/sizing.ts fills in the rest. */
export interface WorkerSizingEnv {
  memoryBudgetMb?: number;
  maxCachedWorkflows?: number;
  activityConcurrency?: number;
  workflowTaskConcurrency?: number;
}

/**
 * Only the sizing variables: `npm start` needs them to pick the worker's node flags before the
 * worker (and its DATA_KEY check) runs.
 */
export function loadWorkerSizingEnv(env: Env = process.env): WorkerSizingEnv {
  const parsed = parseOrThrow(workerEnvSchema, withoutEmpty(env));
  const entries = {
    memoryBudgetMb: parsed.AMIABLE_WORKER_MEMORY_MB,
    maxCachedWorkflows: parsed.TEMPORAL_MAX_CACHED_WORKFLOWS,
    activityConcurrency: parsed.AMIABLE_WORKER_ACTIVITY_CONCURRENCY,
    workflowTaskConcurrency: parsed.AMIABLE_WORKER_WORKFLOW_TASK_CONCURRENCY,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

/** The worker's configuration: as `loadConfig`, and it needs the data key to open sealed text. */
export function loadWorkerConfig(
  env: Env = process.env,
): AppConfig & { dataKey: string; maxCachedWorkflows?: number; sizing: WorkerSizingEnv } {
  const config = loadConfig(env);
  if (!config.dataKey) throw new ConfigError(['DATA_KEY: required (32 random bytes in base64)']);
  const sizing = loadWorkerSizingEnv(env);
  const { maxCachedWorkflows } = sizing;
  return {
    ...config,
    dataKey: config.dataKey,
    sizing,
    ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
  };
}

/**
 * The API's configuration: as `loadConfig`; it needs the data key to seal the free text people
 * type, and in production it refuses to serve without keys.
 */
export function loadApiConfig(env: Env = process.env): AppConfig & { dataKey: string } {
  const config = loadConfig(env);
  const problems = [
    ...(config.dataKey ? [] : ['DATA_KEY: required (32 random bytes in base64)']),
    ...(config.env === 'production' && config.api.keys.length === 0
      ? ['API_KEYS: at least one key is required in production']
      : []),
  ];
  if (problems.length || !config.dataKey) throw new ConfigError(problems);
  return { ...config, dataKey: config.dataKey };
}

/**
 * Settings of `npm start`'s embedded stack only. Setting TEMPORAL_ADDRESS or MONGODB_URI means
 * "I run that server myself": the stack then starts neither the dev server nor FerretDB.
 */
const localStackEnvSchema = z.object({
  AMIABLE_DATA_DIR: z.string().min(1).optional(),
  AMIABLE_TOOLS_DIR: z.string().min(1).optional(),
  TEMPORAL_ADDRESS: hostPort.optional(),
  MONGODB_URI: z.string().optional(),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  FERRETDB_PATH: z.string().min(1).optional(),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  FERRETDB_PORT: port.default(27017),
  AMIABLE_RESTART_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(500),
});

export interface LocalStackConfig {
  dataDir?: string;
  toolsDir?: string;
  externalTemporalAddress?: string;
  externalMongodbUri?: string;
  temporalCliPath?: string;
  ferretdbPath?: string;
  ports: { temporal: number; temporalUi: number; ferretdb: number };
  /** First delay before a dead part is restarted (it doubles on each death in a row). */
  restartDelayMs: number;
}

export function loadLocalStackConfig(env: Env = process.env): LocalStackConfig {
  const parsed = parseOrThrow(localStackEnvSchema, withoutEmpty(env));
  return {
    dataDir: parsed.AMIABLE_DATA_DIR,
    toolsDir: parsed.AMIABLE_TOOLS_DIR,
    externalTemporalAddress: parsed.TEMPORAL_ADDRESS,
    externalMongodbUri: parsed.MONGODB_URI,
    temporalCliPath: parsed.TEMPORAL_CLI_PATH,
    ferretdbPath: parsed.FERRETDB_PATH,
    ports: { temporal: parsed.TEMPORAL_PORT, temporalUi: parsed.TEMPORAL_UI_PORT, ferretdb: parsed.FERRETDB_PORT },
    restartDelayMs: parsed.AMIABLE_RESTART_DELAY_MS,
  };
}
