/**
 * The providers' webhooks. Mounted before the app's JSON parser: each route reads its own body,
 * because a signature is over the bytes as sent and a parsed-then-serialised body is not those.
 * Nothing reaches the sink before its signature is checked.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../../observability/logger';
import { ApiError, type FieldProblem } from '../errors';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyBody } from '../../activities/transports/hmac-signature';
import type { InboundEvent, InboundOutcome, InboundSink } from './inbound-events';
import { parseLetterEvents } from './letters';
import {
  createSendgridVerifier,
  DEFAULT_TOLERANCE_SECONDS,
  parseSendgridEvents,
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  type SignatureCheck,
} from './sendgrid';
import {
  createTwilioVerifier,
  emptyTwiml,
  parseTwilioIncoming,
  parseTwilioStatus,
  TWILIO_SIGNATURE_HEADER,
  type TwilioParams,
  type TwilioParse,
} from './twilio';

export interface WebhookRouterOptions {
  /** Left out: the endpoint does not exist (404). */
  sendgrid?: { verificationKey: string; toleranceSeconds?: number };
  /** Left out: the endpoints do not exist (404). */
  twilio?: { authToken: string; publicBaseUrl: string };
  /** The registered-letter provider's events, signed with this shared secret. Left out: 404. */
  letters?: { secret: string; toleranceSeconds?: number };
  sink: InboundSink;
  logger: Logger;
  /** The clock for SendGrid's timestamp check and for the time Twilio events are stamped with. */
  now?: () => Date;
}

export const WEBHOOK_PATHS = {
  sendgridEvents: '/webhooks/sendgrid/events',
  twilioStatus: '/webhooks/twilio/status',
  twilioIncoming: '/webhooks/twilio/incoming',
  letterEvents: '/webhooks/letters/events',
} as const;

const SENDGRID_BODY_LIMIT = '1mb';
/** As the API's own 503 (api/app.ts); providers that read it retry no sooner. */
const WEBHOOK_RETRY_AFTER_SECONDS = 5;
const TWILIO_BODY_LIMIT = '64kb';

type Endpoint = 'sendgrid.events' | 'twilio.status' | 'twilio.incoming' | 'letters.events';

/** Throws on a configuration that could verify nothing (a key that is no key, a base URL that is no URL). */
export function createWebhookRouter(options: WebhookRouterOptions): express.Router {
  const { sink, logger } = options;
  const now = options.now ?? (() => new Date());
  const router = express.Router();

  // Outcomes and counts only: bodies, addresses, numbers and SMS text are personal data (R7), and
  // the sink's error messages may quote them.
  const log = (endpoint: Endpoint, outcome: string, fields: Record<string, unknown> = {}) => {
    const level =
      outcome === 'accepted' || outcome === 'ignored' ? 'info' : outcome === 'unavailable' ? 'error' : 'warn';
    logger[level]({ webhook: endpoint, method: 'POST', outcome, ...fields }, `webhook ${endpoint}: ${outcome}`);
  };

  const refuse = (res: Response, error: ApiError) => {
    if (error.code === 'unavailable') res.set('Retry-After', String(WEBHOOK_RETRY_AFTER_SECONDS));
    res.status(error.status).json(error.toBody());
  };

  /**
   * In order, one at a time: the sink is idempotent, so a batch that fails half-way is redelivered
   * whole. Events that name a message we never sent are dropped (never journaled) and logged.
   * False when an answer was sent: the sink failed (503), or nothing in the request was known (422).
   *
   * Why 422 only when nothing is known: providers redeliver on any non-2xx (SendGrid for 24 hours),
   * so refusing a batch that holds good events would replay them for nothing, and an event naming
   * a key we never claimed cannot become known later (keys are claimed before the provider is
   * called). A request with nothing of ours in it, though, is a misdirected webhook (another
   * environment's, a test account's) that someone must see in the provider's console.
   */
  async function deliver(
    endpoint: Endpoint,
    res: Response,
    events: readonly InboundEvent[],
    unknownProblem: (event: InboundEvent, position: number) => FieldProblem,
  ): Promise<{ ignored: number; unknown: number } | false> {
    const unknown: FieldProblem[] = [];
    let accepted = 0;
    let ignored = 0;
    for (const [position, event] of events.entries()) {
      let outcome: InboundOutcome | void;
      try {
        outcome = await sink.accept(event);
      } catch (error) {
        log(endpoint, 'unavailable', { errName: (error as Error | null)?.name ?? typeof error });
        refuse(res, new ApiError('unavailable', 'the event could not be recorded now: deliver it again later'));
        return false;
      }
      if (outcome === 'unknown') unknown.push(unknownProblem(event, position));
      else if (outcome === 'ignored') ignored += 1;
      else accepted += 1;
    }
    if (unknown.length > 0 && accepted === 0) {
      log(endpoint, 'unknown', { unknown: unknown.length, ignored });
      refuse(
        res,
        new ApiError(
          'unprocessable',
          `${unknown[0]!.path}: ${unknown[0]!.reason}${unknown.length > 1 ? ` (and ${unknown.length - 1} more)` : ''}`,
          unknown,
        ),
      );
      return false;
    }
    if (unknown.length > 0) log(endpoint, 'partly unknown', { unknown: unknown.length });
    return { ignored, unknown: unknown.length };
  }

  const NEVER_SENT = 'names no message we sent: dropped, not journaled';

  /** A body parser ahead of us would have consumed the stream: the bytes SendGrid signed are gone. */
  function misplaced(endpoint: Endpoint, res: Response): void {
    log(endpoint, 'misconfigured', { why: 'a body parser ran before the webhook router' });
    refuse(res, new ApiError('internal', 'internal error: the webhook cannot check signatures; it is logged'));
  }

  const notConfigured: RequestHandler = (req, res) => {
    refuse(res, new ApiError('not_found', `no route ${req.method} ${req.path}`));
  };

  if (options.sendgrid) {
    const tolerance = options.sendgrid.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    const verify = createSendgridVerifier({ ...options.sendgrid, toleranceSeconds: tolerance, now });
    const refusals: Record<Exclude<SignatureCheck, { ok: true }>['why'], string> = {
      missing: `the request is not signed: the ${SENDGRID_SIGNATURE_HEADER} and ${SENDGRID_TIMESTAMP_HEADER} headers are required`,
      timestamp: `the signature's timestamp is malformed or more than ${tolerance} s away from our clock`,
      encoding: 'the signature cannot be checked: the body is not UTF-8',
      signature: 'the signature does not match the body',
    };
    router.post(
      WEBHOOK_PATHS.sendgridEvents,
      express.raw({ type: '*/*', limit: SENDGRID_BODY_LIMIT }),
      async (req: Request, res: Response) => {
        const endpoint = 'sendgrid.events';
        if (req.body !== undefined && !Buffer.isBuffer(req.body)) return misplaced(endpoint, res);
        const raw: Buffer = req.body ?? Buffer.alloc(0);
        const check = verify(
          { signature: req.get(SENDGRID_SIGNATURE_HEADER), timestamp: req.get(SENDGRID_TIMESTAMP_HEADER) },
          raw,
        );
        if (!check.ok) {
          log(endpoint, 'unauthorized', { why: check.why });
          return refuse(res, new ApiError('unauthorized', refusals[check.why]));
        }
        const parsed = parseSendgridEvents(raw.toString('utf8'));
        if (!parsed.ok) {
          log(endpoint, 'validation_failed', { problems: parsed.problems.length });
          return refuse(res, invalid(parsed.problems));
        }
        const delivered = await deliver(endpoint, res, parsed.events, (event) => ({
          path: `body[sg_event_id=${event.eventId}]`,
          reason: NEVER_SENT,
        }));
        if (!delivered) return;
        const accepted = parsed.events.length - delivered.ignored - delivered.unknown;
        const ignored = parsed.ignored + delivered.ignored;
        log(endpoint, 'accepted', { accepted, ignored, unknown: delivered.unknown });
        res.status(200).json({ accepted, ignored, unknown: delivered.unknown });
      },
    );
  } else {
    router.post(WEBHOOK_PATHS.sendgridEvents, notConfigured);
  }

  if (options.twilio) {
    const verify = createTwilioVerifier(options.twilio);
    const twilioRoute =
      (endpoint: Endpoint, parse: (params: TwilioParams, at: Date) => TwilioParse, answer: (res: Response) => void) =>
      async (req: Request, res: Response) => {
        const params: TwilioParams = isPlainObject(req.body) ? (req.body as TwilioParams) : {};
        const signature = req.get(TWILIO_SIGNATURE_HEADER);
        if (!signature) {
          log(endpoint, 'unauthorized', { why: 'missing' });
          return refuse(
            res,
            new ApiError('unauthorized', `the request is not signed: ${TWILIO_SIGNATURE_HEADER} is required`),
          );
        }
        // originalUrl: the path as the client sent it, mount prefix included, which is what Twilio signed.
        if (!verify(signature, req.originalUrl, params)) {
          log(endpoint, 'unauthorized', { why: 'signature' });
          return refuse(
            res,
            new ApiError(
              'unauthorized',
              `the ${TWILIO_SIGNATURE_HEADER} signature does not match the URL and parameters`,
            ),
          );
        }
        const parsed = parse(params, now());
        if (!parsed.ok) {
          log(endpoint, 'validation_failed', { problems: parsed.problems.length });
          return refuse(res, invalid(parsed.problems));
        }
        const unknownSid = () => ({ path: 'body.MessageSid', reason: NEVER_SENT });
        if (parsed.event && !(await deliver(endpoint, res, [parsed.event], unknownSid))) return;
        log(endpoint, parsed.event ? 'accepted' : 'ignored');
        answer(res);
      };
    const form = express.urlencoded({ extended: false, limit: TWILIO_BODY_LIMIT });
    router.post(
      WEBHOOK_PATHS.twilioStatus,
      form,
      twilioRoute('twilio.status', parseTwilioStatus, (res) => {
        res.status(204).end();
      }),
    );
    router.post(
      WEBHOOK_PATHS.twilioIncoming,
      form,
      twilioRoute('twilio.incoming', parseTwilioIncoming, (res) => {
        res.status(200).type('text/xml').send(emptyTwiml());
      }),
    );
  } else {
    router.post(WEBHOOK_PATHS.twilioStatus, notConfigured);
    router.post(WEBHOOK_PATHS.twilioIncoming, notConfigured);
  }

  if (options.letters) {
    const { secret } = options.letters;
    const tolerance = options.letters.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    router.post(
      WEBHOOK_PATHS.letterEvents,
      express.raw({ type: '*/*', limit: SENDGRID_BODY_LIMIT }),
      async (req: Request, res: Response) => {
        const endpoint = 'letters.events';
        if (req.body !== undefined && !Buffer.isBuffer(req.body)) return misplaced(endpoint, res);
        const raw = (req.body as Buffer | undefined)?.toString('utf8') ?? '';
        const check = verifyBody(
          secret,
          raw,
          { signature: req.get(SIGNATURE_HEADER), timestamp: req.get(TIMESTAMP_HEADER) },
          now(),
          tolerance,
        );
        if (!check.ok) {
          log(endpoint, 'unauthorized', { why: check.why });
          return refuse(
            res,
            new ApiError(
              'unauthorized',
              check.why === 'missing'
                ? `the request is not signed: ${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} are required`
                : check.why === 'timestamp'
                  ? `the signature's timestamp is malformed or more than ${tolerance} s away from our clock`
                  : 'the signature does not match the body',
            ),
          );
        }
        const parsed = parseLetterEvents(raw);
        if (!parsed.ok) {
          log(endpoint, 'validation_failed', { problems: parsed.problems.length });
          return refuse(res, invalid(parsed.problems));
        }
        const delivered = await deliver(endpoint, res, parsed.events, (_event, position) => ({
          path: `body.events[${position}].reference`,
          reason: NEVER_SENT,
        }));
        if (!delivered) return;
        const accepted = parsed.events.length - delivered.ignored - delivered.unknown;
        log(endpoint, 'accepted', { accepted, unknown: delivered.unknown });
        res.status(200).json({ accepted, ignored: delivered.ignored, unknown: delivered.unknown });
      },
    );
  } else {
    router.post(WEBHOOK_PATHS.letterEvents, notConfigured);
  }

  // Reached only by errors of the routes above: an error raised before the router skips it.
  const bodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
    const error = bodyError(err);
    if (!error) return next(err);
    refuse(res, error);
  };
  router.use(bodyErrors);

  return router;
}

function invalid(problems: FieldProblem[]): ApiError {
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new ApiError(
    'validation_failed',
    first ? `${first.path}: ${first.reason}${more}` : 'malformed body',
    problems,
  );
}

/** Body-parser's errors, in the contract's words; anything else is the app's to handle. */
function bodyError(error: unknown): ApiError | undefined {
  switch ((error as { type?: unknown } | null)?.type) {
    case 'entity.too.large':
    case 'parameters.too.many':
      return new ApiError('payload_too_large', 'body: larger than this webhook accepts', [
        { path: 'body', reason: 'too large' },
      ]);
    case 'entity.parse.failed':
    case 'querystring.parse.rangeError':
      return new ApiError('validation_failed', 'body: is not a valid form', [{ path: 'body', reason: 'is malformed' }]);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new ApiError('unsupported_media_type', 'body: send it in UTF-8', [
        { path: 'body', reason: 'must be UTF-8' },
      ]);
    default:
      return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
