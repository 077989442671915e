/**
 * The routes of docs/api.md as data: path, roles, schemas and handler in one place. The app
 * (api/app.ts) mounts them with validation and role checks; the OpenAPI description
 * (api/openapi.ts) is generated from the same list, so the two cannot disagree.
 */
import { z } from 'zod';
import type { Role } from '../config';
import type { Actor } from '../domain/case/actions';
import type { SealedText } from '../domain/case/types';
import {
  agreeInstallmentPlanUpdate,
  cancelCaseUpdate,
  cancelInstallmentPlanUpdate,
  openDisputeUpdate,
  pauseCaseUpdate,
  recordCallOutcomeUpdate,
  recordPaymentUpdate,
  recordPromiseUpdate,
  recordReplyUpdate,
  resolveDisputeUpdate,
  resumeCaseUpdate,
} from '../workflows/case-definitions';
import type { AlertService } from './alerts';
import { rateChangeResource, ratePointBody, rateTableResource, type RateService } from './rates';
import type { Caller } from './auth';
import type { CaseService } from './cases';
import type { DebtorService } from './debtors';
import type { ErrorCode } from './errors';
import type { CaseResource } from './schemas';
import type { Intake } from './intake';
import * as schemas from './schemas';

export type RouteAnswer =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: number; file: { contentType: string; filename: string; content: Buffer } };

export interface RouteRequest {
  params: Record<string, string>;
  query: unknown;
  body: unknown;
  caller?: Caller;
}

export interface RouteDefinition {
  method: 'get' | 'post';
  /** Express syntax (`/cases/:id`); the OpenAPI generator turns it into `/cases/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** Who may call it besides managers, who may call everything; `public` needs no key. */
  roles: readonly Role[] | 'public';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** `contentType`: a file route answers bytes of that type instead of JSON. */
  success: { status: 200 | 201; schema: z.ZodType; description: string; contentType?: string }[];
  errors: readonly ErrorCode[];
  handle: (request: RouteRequest) => Promise<RouteAnswer>;
}

export interface RouteServices {
  intake: Intake;
  cases: CaseService;
  debtors: DebtorService;
  alerts: AlertService;
  rates: RateService;
  seal: (plain: string) => SealedText;
  health: () => Promise<{ status: 'ok' | 'degraded' }>;
}

const ok = (body: unknown) => ({ status: 200, body });

/** The journal names who acted: the agent when the body says so, otherwise the key's fingerprint. */
function actorOf(caller: Caller | undefined, agentId?: string): Actor {
  if (!caller) throw new Error('an action route ran without a caller: its role check is missing');
  return { role: caller.role, id: agentId ?? caller.keyId };
}

const ACTION_ERRORS: readonly ErrorCode[] = [
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'invalid_transition',
  'unprocessable',
  'unavailable',
];

interface ActionSpec<Body, Input> {
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  roles: readonly Role[];
  body: z.ZodType<Body>;
  update: Parameters<CaseService['act']>[1] & { name: string };
  toInput: (body: Body) => Input;
  agentId?: (body: Body) => string | undefined;
  /** Writes the answer implies, made before it is sent so that the client's next read sees them. */
  afterward?: (caseId: string, body: Body, answered: CaseResource) => Promise<void>;
}

export function buildRoutes(services: RouteServices): RouteDefinition[] {
  const { intake, cases, debtors, seal } = services;
  const sealOptional = (text: string | undefined) => (text === undefined ? undefined : seal(text));

  function action<Body, Input>(spec: ActionSpec<Body, Input>): RouteDefinition {
    return {
      method: 'post',
      path: spec.path,
      operationId: spec.operationId,
      summary: spec.summary,
      description:
        (spec.description ? `${spec.description}\n\n` : '') +
        'Answers once the case workflow has applied the action, so the Case returned already reflects it. ' +
        'A refusal (409 invalid_transition, 422 unprocessable) changes nothing.',
      roles: spec.roles,
      params: schemas.caseIdParams,
      body: spec.body,
      success: [{ status: 200, schema: schemas.caseResource, description: 'The case after the action' }],
      errors: ACTION_ERRORS,
      handle: async ({ params, body, caller }) => {
        const parsed = body as Body;
        const input = spec.toInput(parsed);
        const answered = await cases.act(
          params.id!,
          spec.update as never,
          input,
          actorOf(caller, spec.agentId?.(parsed)),
        );
        await spec.afterward?.(params.id!, parsed, answered);
        return ok(answered);
      },
    };
  }

  type Payment = z.output<typeof schemas.paymentBody>;
  type PromiseBody = z.output<typeof schemas.promiseBody>;
  type Reply = z.output<typeof schemas.replyBody>;
  type CallOutcome = z.output<typeof schemas.callOutcomeBody>;
  type Dispute = z.output<typeof schemas.disputeBody>;
  type Resolution = z.output<typeof schemas.disputeResolutionBody>;
  type Plan = z.output<typeof schemas.installmentPlanBody>;
  type Pause = z.output<typeof schemas.pauseBody>;
  type Cancel = z.output<typeof schemas.cancelBody>;

  return [
    {
      method: 'get',
      path: '/health',
      operationId: 'getHealth',
      summary: 'State of Temporal and the database',
      roles: 'public',
      success: [{ status: 200, schema: schemas.health, description: 'Both answer' }],
      errors: ['unavailable'],
      handle: async () => {
        const report = await services.health();
        return { status: report.status === 'ok' ? 200 : 503, body: report };
      },
    },
    {
      method: 'post',
      path: '/cases',
      operationId: 'openCase',
      summary: 'Open a case',
      description:
        'Checks that the claim is certaine, liquide and exigible and not time-barred (422 not_collectable ' +
        'lists every failed condition), then opens the case and starts its workflow. Idempotent on ' +
        'creditor.id + reference: the identical case again answers 200 with the same case; the same ' +
        'reference with another payload answers 409 conflict. Free-text extensions to the contract: ' +
        'creditor.paymentInstructions, claim.type, invoices[].performanceDate.',
      roles: ['operations'],
      body: schemas.openCaseBody,
      success: [
        { status: 201, schema: schemas.caseResource, description: 'Opened' },
        { status: 200, schema: schemas.caseResource, description: 'The identical case was already open' },
      ],
      errors: ['validation_failed', 'unauthorized', 'forbidden', 'conflict', 'not_collectable', 'unavailable'],
      handle: async ({ body }) => {
        const { created, record } = await intake.openCase(body as schemas.OpenCaseBody);
        // Not asked of the workflow: its first view is computed from the record (api/intake.ts).
        return { status: created ? 201 : 200, body: await cases.answerOpened(record, created) };
      },
    },
    {
      method: 'get',
      path: '/cases',
      operationId: 'listCases',
      summary: 'List cases, newest first',
      description: 'Filters combine. Pass nextCursor back as cursor for the next page; null means the last page.',
      roles: ['operations', 'agent'],
      query: schemas.listCasesQuery,
      success: [{ status: 200, schema: schemas.caseList, description: 'One page of cases' }],
      errors: ['validation_failed', 'unauthorized', 'unavailable'],
      handle: async ({ query }) => ok(await cases.listCases(query as z.output<typeof schemas.listCasesQuery>)),
    },
    {
      method: 'get',
      path: '/cases/:id',
      operationId: 'getCase',
      summary: 'A case, with the live state of its workflow',
      description:
        'The case as its workflow stands after its last workflow task. The workflow saves its view in the ' +
        'task of each change, before it answers the action that made it, so the read asks no worker. ' +
        'The header `X-Case-State` says which: `saved` (the view the workflow saved) or `opened` (the ' +
        'workflow has not saved one yet, about a second after intake: the case as `POST /cases` answered it).',
      roles: ['operations', 'agent'],
      params: schemas.caseIdParams,
      success: [{ status: 200, schema: schemas.caseResource, description: 'The case' }],
      errors: ['validation_failed', 'unauthorized', 'not_found', 'unavailable'],
      handle: async ({ params }) => {
        const read = await cases.getCase(params.id!);
        return { ...ok(read.resource), headers: { 'X-Case-State': read.source } };
      },
    },
    {
      method: 'get',
      path: '/debtors/:id',
      operationId: 'getDebtor',
      summary: "A debtor: its cases across creditors and what they owe (Case's debtorKey)",
      description:
        "Cases are grouped by the identifiers they bring (registry number, the creditor's customer id, e-mail " +
        'address, phone number): README, "Debtors". A key merged into an older debtor answers that debtor. ' +
        'Not in docs/api.md (issue 15).',
      roles: ['operations', 'agent'],
      params: schemas.debtorIdParams,
      success: [{ status: 200, schema: schemas.debtorResource, description: 'The debtor' }],
      errors: ['validation_failed', 'unauthorized', 'not_found', 'unavailable'],
      handle: async ({ params }) => ok(await debtors.getDebtor(params.id!)),
    },
    {
      method: 'get',
      path: '/cases/:id/journal',
      operationId: 'getJournal',
      summary: 'The evidence trail of a case, oldest first',
      roles: ['operations', 'agent'],
      params: schemas.caseIdParams,
      success: [{ status: 200, schema: schemas.journal, description: 'Every entry of the case' }],
      errors: ['validation_failed', 'unauthorized', 'not_found', 'unavailable'],
      handle: async ({ params }) => ok(await cases.getJournal(params.id!)),
    },
    {
      method: 'get',
      path: '/cases/:id/documents',
      operationId: 'listDocuments',
      summary: 'The files kept as evidence: letters as posted, the handoff dossier',
      description: 'Not in docs/api.md. Each journal entry about a file names it by id and SHA-256.',
      roles: ['operations', 'agent'],
      params: schemas.caseIdParams,
      success: [{ status: 200, schema: schemas.documentList, description: 'Every file of the case, oldest first' }],
      errors: ['validation_failed', 'unauthorized', 'not_found', 'unavailable'],
      handle: async ({ params }) => ok(await cases.listDocuments(params.id!)),
    },
    {
      method: 'get',
      path: '/cases/:id/documents/:documentId',
      operationId: 'getDocument',
      summary: 'One file exactly as kept (PDF or JSON)',
      description: 'Not in docs/api.md. The bytes whose SHA-256 the journal cites.',
      roles: ['operations', 'agent'],
      params: schemas.documentParams,
      success: [
        {
          status: 200,
          schema: z.string().meta({ format: 'binary' }),
          description: 'The file',
          contentType: 'application/octet-stream',
        },
      ],
      errors: ['validation_failed', 'unauthorized', 'not_found', 'unavailable'],
      handle: async ({ params }) => ({ status: 200, file: await cases.getDocument(params.id!, params.documentId!) }),
    },
    action<Payment, Payment>({
      path: '/cases/:id/payments',
      operationId: 'recordPayment',
      summary: 'Record a payment',
      description:
        'The same payment reference recorded twice counts once. A payment on a closed case is invalid_transition.',
      roles: ['operations'],
      body: schemas.paymentBody,
      update: recordPaymentUpdate,
      toInput: (body) => body,
    }),
    action<PromiseBody, PromiseBody>({
      path: '/cases/:id/promises',
      operationId: 'recordPromise',
      summary: 'Record a promise to pay',
      roles: ['agent'],
      body: schemas.promiseBody,
      update: recordPromiseUpdate,
      toInput: (body) => body,
      agentId: (body) => body.agentId,
    }),
    action({
      path: '/cases/:id/replies',
      operationId: 'recordReply',
      summary: 'Record a reply of the debtor',
      roles: ['agent'],
      body: schemas.replyBody,
      update: recordReplyUpdate,
      toInput: (body: Reply) => ({ ...body, message: seal(body.message) }),
    }),
    action({
      path: '/cases/:id/call-outcomes',
      operationId: 'recordCallOutcome',
      summary: 'Record the outcome of a call',
      description: 'Closes the named call task; callback_requested creates a new task due at callbackAt.',
      roles: ['agent'],
      body: schemas.callOutcomeBody,
      update: recordCallOutcomeUpdate,
      toInput: (body: CallOutcome) => ({ ...body, notes: sealOptional(body.notes) }),
      agentId: (body: CallOutcome) => body.agentId,
      // GET /call-tasks right after must not list the task as open.
      afterward: (caseId, body: CallOutcome, answered) => cases.settleCallTasks(caseId, body, answered),
    }),
    action({
      path: '/cases/:id/disputes',
      operationId: 'openDispute',
      summary: 'Record a dispute: every automated contact stops until a manager resolves it',
      roles: ['agent'],
      body: schemas.disputeBody,
      update: openDisputeUpdate,
      toInput: (body: Dispute) => ({ ...body, reason: seal(body.reason) }),
    }),
    action({
      path: '/cases/:id/disputes/resolve',
      operationId: 'resolveDispute',
      summary: 'Resolve the dispute: rejected, upheld or adjusted',
      roles: [],
      body: schemas.disputeResolutionBody,
      update: resolveDisputeUpdate,
      toInput: (body: Resolution) => ({ ...body, notes: sealOptional(body.notes) }),
    }),
    action<Plan, Plan>({
      path: '/cases/:id/installment-plans',
      operationId: 'agreeInstallmentPlan',
      summary: 'Record an agreed installment plan (échéancier)',
      description:
        'The installments must sum to the balance, with strictly increasing dates, within the policy limits.',
      roles: ['agent'],
      body: schemas.installmentPlanBody,
      update: agreeInstallmentPlanUpdate,
      toInput: (body) => body,
    }),
    action({
      path: '/cases/:id/installment-plans/cancel',
      operationId: 'cancelInstallmentPlan',
      summary: 'Cancel the running installment plan (not in docs/api.md)',
      description:
        'A manager ends the plan; the reminder sequence resumes where it stood. To renegotiate instead, a manager ' +
        'posts a new plan to /cases/{id}/installment-plans: it replaces the running one.',
      roles: [],
      body: schemas.cancelPlanBody,
      update: cancelInstallmentPlanUpdate,
      toInput: (body: z.output<typeof schemas.cancelPlanBody>) => ({ reason: seal(body.reason) }),
    }),
    action({
      path: '/cases/:id/pause',
      operationId: 'pauseCase',
      summary: 'Pause the case (until a date, or until resumed)',
      roles: [],
      body: schemas.pauseBody,
      update: pauseCaseUpdate,
      toInput: (body: Pause) => ({ ...body, reason: seal(body.reason) }),
    }),
    action({
      path: '/cases/:id/resume',
      operationId: 'resumeCase',
      summary: 'Resume a paused case',
      roles: [],
      body: schemas.resumeBody,
      update: resumeCaseUpdate,
      toInput: () => ({}),
    }),
    action({
      path: '/cases/:id/cancel',
      operationId: 'cancelCase',
      summary: 'Cancel the case',
      roles: ['operations'],
      body: schemas.cancelBody,
      update: cancelCaseUpdate,
      toInput: (body: Cancel) => ({ reason: seal(body.reason) }),
    }),
    {
      method: 'get',
      path: '/call-tasks',
      operationId: 'listCallTasks',
      summary: "The agents' queue of calls, soonest due first",
      roles: ['agent'],
      query: schemas.listCallTasksQuery,
      success: [{ status: 200, schema: schemas.callTaskList, description: 'One page of call tasks' }],
      errors: ['validation_failed', 'unauthorized', 'forbidden', 'unavailable'],
      handle: async ({ query }) => ok(await cases.listCallTasks(query as z.output<typeof schemas.listCallTasksQuery>)),
    },
    {
      method: 'get',
      path: '/alerts',
      operationId: 'listAlerts',
      summary: 'Manager alerts, newest first (not in docs/api.md)',
      description:
        'What needs a person: unknown message outcomes, refused handoffs, defaulted plans, prescription ahead… ' +
        'Filters combine. Pass nextCursor back as cursor for the next page; null means the last page.',
      roles: [],
      query: schemas.listAlertsQuery,
      success: [{ status: 200, schema: schemas.alertList, description: 'One page of alerts' }],
      errors: ['validation_failed', 'unauthorized', 'forbidden', 'unavailable'],
      handle: async ({ query }) =>
        ok(await services.alerts.listAlerts(query as z.output<typeof schemas.listAlertsQuery>)),
    },
    {
      method: 'get',
      path: '/rates',
      operationId: 'getRates',
      summary: 'The rate table: every value with its source, and what the current half-year lacks (not in docs/api.md)',
      description:
        'The ECB main refinancing rate (L441-10 penalties: the rate in force on 1 January / 1 July, + 10 points) and ' +
        "the taux de l'intérêt légal of each half-year (1231-6 interest after a mise en demeure; the floor of a " +
        'contractual penalty rate). origin: shipped (config/rates.json) or operator (entered here). A half-year ' +
        'listed in missing claims no legal interest for its days, and a rates_missing alert is open.',
      roles: [],
      success: [{ status: 200, schema: rateTableResource, description: 'The table in force' }],
      errors: ['unauthorized', 'forbidden', 'unavailable'],
      handle: async () => ok(await services.rates.getRates()),
    },
    {
      method: 'post',
      path: '/rates',
      operationId: 'setRate',
      summary: 'Enter a published rate, with its source (not in docs/api.md)',
      description:
        'Adds the value of a series from a date, or replaces the value of that date (the previous one is kept in ' +
        'the audit trail, with the manager’s key fingerprint). A legal rate starts on 1 January or 1 July, else 422 ' +
        'on body.from. The next computation of a case’s amounts uses it.',
      roles: [],
      body: ratePointBody,
      success: [{ status: 200, schema: rateChangeResource, description: 'The value entered, and the one it replaced' }],
      errors: ['validation_failed', 'unauthorized', 'forbidden', 'unprocessable', 'unavailable'],
      handle: async ({ body, caller }) =>
        ok(await services.rates.setRate(body as z.output<typeof ratePointBody>, actorOf(caller))),
    },
    {
      method: 'post',
      path: '/alerts/:id/acknowledge',
      operationId: 'acknowledgeAlert',
      summary: 'Acknowledge a manager alert, with its resolution (not in docs/api.md)',
      description:
        'noted fits every alert. An unknown message outcome (message_outcome_unknown) is settled message_left ' +
        '(the provider shows it: the send is settled as sent) or send_again (the provider never had it: the case ' +
        'sends it once more, under the same idempotency key, when the contact rules allow). Journaled in the case. ' +
        'Acknowledging twice is 409 conflict; a resolution that does not fit the alert is 422 unprocessable.',
      roles: [],
      params: schemas.alertIdParams,
      body: schemas.acknowledgeAlertBody,
      success: [{ status: 200, schema: schemas.alertResource, description: 'The alert, acknowledged' }],
      errors: [
        'validation_failed',
        'unauthorized',
        'forbidden',
        'not_found',
        'conflict',
        'invalid_transition',
        'unprocessable',
        'unavailable',
      ],
      handle: async ({ params, body, caller }) =>
        ok(
          await services.alerts.acknowledge(
            params.id!,
            body as z.output<typeof schemas.acknowledgeAlertBody>,
            actorOf(caller),
          ),
        ),
    },
  ];
}
