import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { Client, type Connection as TemporalConnection } from '@temporalio/client';
import type { Connection as DatabaseConnection } from 'mongoose';
import type { ApiKey } from '../config';
import { alertModel } from '../models/alert';
import { callTaskModel } from '../models/call-task';
import { messageSendModel } from '../models/message-send';
import { caseRecordModel } from '../models/case-record';
import { caseViewModel } from '../models/case-view';
import { pendingIntakeModel } from '../models/pending-intake';
import { journalEntryModel } from '../models/journal-entry';
import { sealText } from '../models/sealed-text';
import type { Logger } from '../observability/logger';
import { createAuthenticator, rejectAnonymousBodies, requireRole } from './auth';
import { createAlertService } from './alerts';
import { createRateService } from './rates';
import { createCaseService } from './cases';
import { ApiError, validationFailed, zodProblems } from './errors';
import { checkHealth } from './health';
import { createIntake, type Intake } from './intake';
import { openApiDocument } from './openapi';
import { buildRoutes, type RouteDefinition } from './routes';
import { createCaseInboundSink } from './webhooks/case-sink';
import { createWebhookRouter } from './webhooks/router';
import { isDatabaseUnreachable, isTemporalUnreachable, unavailable } from './upstream-errors';
import { identifierKeyFrom } from '../models/debtor-directory';
import { createDebtorService } from './debtors';

export interface ApiDependencies {
  temporal: TemporalConnection;
  database: DatabaseConnection;
  logger: Logger;
  namespace: string;
  taskQueue: string;
  keys: readonly ApiKey[];
  /** 32 bytes: seals the free text people type before it enters Temporal (R7). */
  dataKey: Buffer;
  /** The API's clock; tests pass the time-skipping server's. */
  now?: () => Promise<Date>;
  temporalTimeoutMs?: number;
  /** Provider webhooks; a provider left out has no endpoint (404). */
  webhooks?: {
    sendgrid?: { verificationKey: string; toleranceSeconds?: number };
    twilio?: { authToken: string; publicBaseUrl: string };
    letters?: { secret: string };
    /** The signature check's clock (tests). */
    now?: () => Date;
  };
}

export const BODY_LIMIT = '64kb';

/** What a 503 advises: long enough for a database lock or a restart to pass, short enough to retry soon. */
export const RETRY_AFTER_SECONDS = 5;

export interface Api {
  app: Express;
  intake: Intake;
}

/** Body-parser's errors, in the contract's words. */
function bodyError(error: unknown): ApiError | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') {
    return new ApiError('validation_failed', 'body: is not valid JSON', [
      { path: 'body', reason: 'is not valid JSON' },
    ]);
  }
  if (type === 'entity.too.large') {
    return new ApiError('payload_too_large', `body: larger than the ${BODY_LIMIT} limit`, [
      { path: 'body', reason: `larger than ${BODY_LIMIT}` },
    ]);
  }
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new ApiError('unsupported_media_type', 'body: send UTF-8 JSON', [
      { path: 'body', reason: 'must be UTF-8 JSON' },
    ]);
  }
  return undefined;
}

export function createApi(dependencies: ApiDependencies): Api {
  const { temporal, database, logger } = dependencies;
  const client = new Client({ connection: temporal, namespace: dependencies.namespace });
  const now = dependencies.now ?? (async () => new Date());
  const records = caseRecordModel(database);
  const pending = pendingIntakeModel(database);
  const intake = createIntake({
    records,
    pending,
    debtors: { database, identifierKey: identifierKeyFrom(dependencies.dataKey) },
    client,
    taskQueue: dependencies.taskQueue,
    now,
    logger,
  });
  const cases = createCaseService({
    records,
    views: caseViewModel(database),
    pending,
    database,
    callTasks: callTaskModel(database),
    client,
    temporalTimeoutMs: dependencies.temporalTimeoutMs ?? 10_000,
  });
  const alerts = createAlertService({
    alerts: alertModel(database),
    records,
    journal: journalEntryModel(database),
    sends: messageSendModel(database),
    client,
    now,
    temporalTimeoutMs: dependencies.temporalTimeoutMs ?? 10_000,
  });
  const routes = buildRoutes({
    intake,
    cases,
    debtors: createDebtorService({ database, records, views: caseViewModel(database) }),
    alerts,
    rates: createRateService(database, now),
    seal: (plain) => sealText(plain, dependencies.dataKey),
    health: () => checkHealth(temporal, database),
  });
  const authenticate = createAuthenticator(dependencies.keys);
  const document = openApiDocument(routes);

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(
    pinoHttp({
      logger,
      // Method, path and status only: bodies and query strings may hold personal data (R7), and the
      // Authorization header is a secret.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  // Before the JSON parser: signatures are checked over the exact bytes the provider sent.
  app.use(
    createWebhookRouter({
      ...(dependencies.webhooks?.sendgrid ? { sendgrid: dependencies.webhooks.sendgrid } : {}),
      ...(dependencies.webhooks?.twilio ? { twilio: dependencies.webhooks.twilio } : {}),
      ...(dependencies.webhooks?.letters ? { letters: dependencies.webhooks.letters } : {}),
      ...(dependencies.webhooks?.now ? { now: dependencies.webhooks.now } : {}),
      sink: createCaseInboundSink({
        database,
        client,
        seal: (plain) => sealText(plain, dependencies.dataKey),
        logger,
      }),
      logger,
    }),
  );
  const publicPaths = new Set(routes.filter((route) => route.roles === 'public').map((route) => route.path));
  app.use(
    rejectAnonymousBodies(
      authenticate,
      (path) => publicPaths.has(path) || path === '/openapi.json' || path.startsWith('/docs'),
    ),
  );
  app.use(express.json({ limit: BODY_LIMIT, type: 'application/json', strict: true }));

  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(undefined, { swaggerUrl: '/openapi.json', customSiteTitle: 'Amiable API' }),
  );

  for (const route of routes) app[route.method](route.path, ...handlersFor(route));

  app.use((req, _res, next) => next(new ApiError('not_found', `no route ${req.method} ${req.path}`)));

  const handleError: ErrorRequestHandler = (err, req, res, _next) => {
    let error = err instanceof ApiError ? err : (bodyError(err) ?? malformedUri(err, req.method, req.path));
    if (!error && isTemporalUnreachable(err)) error = unavailable('Temporal');
    if (!error && isDatabaseUnreachable(err)) error = unavailable('the database');
    if (!error) {
      // Only the error's name and stack: its message might quote input.
      req.log?.error({ errName: (err as Error)?.name, stack: (err as Error)?.stack }, 'unhandled error');
      error = new ApiError('internal', 'internal error: the request may not have been applied; it is logged');
    }
    // The contract's 503 says "try again": Retry-After says when, so clients need not guess.
    if (error.code === 'unavailable') res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(error.status).json(error.toBody());
  };
  app.use(handleError);

  /**
   * Express refuses a path parameter that is not valid percent-encoding (`/cases/%E0%A4%A`) before
   * any route runs, with a URIError: the client's mistake, so 400 naming the parameter.
   */
  function malformedUri(err: unknown, method: string, path: string): ApiError | undefined {
    if (!(err instanceof URIError)) return undefined;
    const field = undecodableParam(routes, method, path);
    return new ApiError('validation_failed', `${field}: is not valid percent-encoded UTF-8`, [
      { path: field, reason: 'is not valid percent-encoded UTF-8' },
    ]);
  }

  function handlersFor(route: RouteDefinition): RequestHandler[] {
    const handlers: RequestHandler[] = [];
    if (route.roles !== 'public') handlers.push(requireRole(authenticate, route.roles));
    handlers.push(async (req, res) => {
      if (route.body && !req.is('application/json')) {
        throw new ApiError('unsupported_media_type', 'send the body as Content-Type: application/json', [
          { path: 'headers.content-type', reason: 'must be application/json' },
        ]);
      }
      const parsed = {
        params: parse(route.params, req.params, 'params'),
        query: parse(route.query, req.query ?? {}, 'query'),
        body: parse(route.body, req.body, 'body'),
      };
      const answer = await route.handle({
        ...parsed,
        params: parsed.params as Record<string, string>,
        caller: req.caller,
      });
      if ('file' in answer) {
        res
          .status(answer.status)
          .type(answer.file.contentType)
          .attachment(answer.file.filename)
          .send(answer.file.content);
        return;
      }
      if (answer.headers) res.set(answer.headers);
      res.status(answer.status).json(answer.body);
    });
    return handlers;
  }

  return { app, intake };
}

function parse(schema: import('zod').ZodType | undefined, value: unknown, root: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(zodProblems(result.error, root));
  return result.data;
}

const decodes = (segment: string): boolean => {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
};

/** `params.id` when `path` is `/cases/%E0%A4%A`: the route it was meant for, and which of its parameters is broken. */
export function undecodableParam(routes: readonly RouteDefinition[], method: string, path: string): string {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method.toLowerCase()) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    if (!pattern.every((part, index) => part.startsWith(':') || part === segments[index])) continue;
    const broken = pattern.findIndex((part, index) => part.startsWith(':') && !decodes(segments[index]!));
    if (broken >= 0) return `params.${pattern[broken]!.slice(1)}`;
  }
  return 'path';
}

/** The express app alone, for callers that need nothing else. */
export function createApp(dependencies: ApiDependencies): Express {
  return createApi(dependencies).app;
}
