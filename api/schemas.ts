/**
 * The request and response schemas of docs/api.md. The same zod objects validate requests and
 * generate the OpenAPI description (api/openapi.ts), so the documentation cannot drift from what
 * the server accepts.
 *
 * What is a *type* error (a string where a number belongs, a malformed date, an unknown field) is
 * refused here with 400 `validation_failed`. What makes a claim not *certaine, liquide, exigible*
 * (an empty basis, an amount of 0 cents, a due date still ahead) is the domain's call and answers
 * 422 `not_collectable`, so those fields are deliberately typed loosely here.
 */
import { z } from 'zod';
import { CALL_OUTCOMES, CASE_STATUSES, DISPUTE_OUTCOMES, INBOUND_CHANNELS } from '../domain/case/types';
import { PLAN_OUTCOMES } from '../domain/installments';
import { MAX_AMOUNT_CENTS } from '../domain/money';
import { POLICIES, DEFAULT_POLICY_BY_DEBTOR_KIND } from '../domain/policies';
import { SUPPORTED_CURRENCIES, currencySchema } from '../domain/currency';
import { CLAIM_TYPES, DEBTOR_KINDS, STAGES } from '../domain/types';
import { ACTOR_ROLES, JOURNAL_CHANNELS, MESSAGE_STATUSES } from '../models/journal-entry';
import { CALL_TASK_STATUSES } from '../models/call-task';
import { DOCUMENT_KINDS } from '../models/document';
import { ALERT_STATUSES } from '../models/alert';
import { ALERT_RESOLUTIONS } from '../domain/case/alerts';
import { ERROR_STATUS } from './errors';

// ---------------------------------------------------------------------------------------------
// Building blocks

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const optionalText = (max: number) => z.string().trim().max(max, `at most ${max} characters`);

export const calendarDate = z.iso.date('must be a date YYYY-MM-DD').meta({ example: '2026-10-31' });
export const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 instant with offset, e.g. 2026-11-23T09:00:00+01:00' })
  .meta({ example: '2026-11-23T09:00:00+01:00' });
const cents = z
  .number()
  .int('must be a whole number of cents')
  .positive('must be a positive number of cents')
  .max(MAX_AMOUNT_CENTS, `must be at most ${MAX_AMOUNT_CENTS} cents (€10 billion)`);
const currency = currencySchema.meta({
  description: `An active ISO 4217 code the product states amounts in: ${SUPPORTED_CURRENCIES.join(', ')} (the indemnity and the interest rates of French law are in euros). Any other code is 400 naming claim.currency.`,
  example: 'EUR',
});
const inboundChannel = z.enum(INBOUND_CHANNELS);
/** E.164: the form Twilio sends to. */
const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an international number such as +33612345678');
const POLICY_IDS = [...POLICIES.keys()] as [string, ...string[]];

// ---------------------------------------------------------------------------------------------
// Opening a case

const creditor = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
      .meta({ example: 'acme' }),
    name: text(200).meta({ example: 'ACME SAS' }),
    legalId: optionalText(64).optional().meta({ example: '552100554' }),
    address: text(500).meta({ example: '1 rue de la Paix, 75001 Paris' }),
    email: z.email('must be an e-mail address').optional(),
    paymentInstructions: text(1000)
      .optional()
      .meta({
        description:
          'How the debtor pays, as every message states it (R2), e.g. bank details. Not in docs/api.md; when ' +
          'absent the messages ask for a transfer or cheque to the creditor at its address, quoting the reference.',
        example: 'virement sur le compte FR76 3000 6000 0112 3456 7890 189, en rappelant la référence INV-2025-0042',
      }),
  })
  .meta({ id: 'Creditor' });

const collector = z
  .strictObject({
    name: text(200),
    legalId: optionalText(64).optional(),
    address: text(500),
  })
  .meta({ id: 'Collector', description: 'The mandated collection company, when there is one.' });

const debtor = z
  .strictObject({
    id: optionalText(64)
      .optional()
      .meta({
        description:
          "The debtor's id in the creditor's own system (its customer number). With the registry number, " +
          "the e-mail address and the phone number, it groups the creditor's cases under one debtor. " +
          'Not in docs/api.md (issue 15).',
        example: 'CLI-000123',
      }),
    kind: z.enum(DEBTOR_KINDS),
    name: text(200).meta({ example: 'Dupont SARL' }),
    email: z.email('must be an e-mail address').optional(),
    phone: phone.optional(),
    address: text(500).optional(),
    legalId: optionalText(64).optional(),
    lreConsentAt: instant.optional().meta({
      description:
        'When the debtor expressly agreed to receive registered mail electronically (LRE). A consumer ' +
        'without it gets the mise en demeure on paper (CPCE L100). Not in docs/api.md.',
    }),
  })
  .refine((value) => value.email !== undefined || value.phone !== undefined || value.address !== undefined, {
    message: 'at least one way to reach the debtor is required: email, phone or address',
  })
  .meta({ id: 'DebtorInput' });

/** Loose on purpose: a non-positive or fractional amount is `not_collectable` (liquide), not a type error. */
const invoice = z
  .strictObject({
    number: z.string().max(64, 'at most 64 characters').meta({ example: 'F-2025-118' }),
    issueDate: calendarDate,
    dueDate: calendarDate,
    amountCents: z.number().meta({
      description: 'Positive whole number of cents, at most 1000000000000 (€10 billion) per invoice and in all.',
      example: 185000,
    }),
    performanceDate: calendarDate.optional().meta({
      description:
        'Delivery or performance date, when known: prescription runs from the earlier of it and the due date.',
    }),
  })
  .meta({ id: 'Invoice' });

const claim = z
  .strictObject({
    nature: text(500).meta({ example: 'Prestation de maintenance, octobre 2025' }),
    basis: z.string().max(1000, 'at most 1000 characters').optional().meta({
      description: 'The contract, order or delivery proof: what makes the claim certaine.',
      example: 'Bon de commande BC-778 signé le 2025-09-12',
    }),
    currency: currency.default('EUR'),
    invoices: z.array(invoice).max(200, 'at most 200 invoices'),
    type: z.enum(CLAIM_TYPES).optional().meta({
      description:
        'For the limitation period (R1). Default: consumer_goods_services for a consumer, commercial for a business.',
    }),
  })
  .meta({ id: 'Claim' });

export const openCaseBody = z
  .strictObject({
    reference: z
      .string()
      .regex(/^[\w./-]{1,64}$/, 'must be 1-64 letters, digits, dots, slashes, dashes or underscores')
      .meta({ description: 'Unique per creditor.id: the idempotency key of intake.', example: 'INV-2025-0042' }),
    creditor,
    collector: collector.optional(),
    debtor,
    claim,
    policy: z
      .enum(POLICY_IDS)
      .optional()
      .meta({
        description: `The reminder policy. Absent: chosen by debtor.kind (${Object.entries(
          DEFAULT_POLICY_BY_DEBTOR_KIND,
        )
          .map(([kind, id]) => `${kind} → ${id}`)
          .join(', ')}); the contract's default \`standard\` stays the business default.`,
      }),
  })
  .meta({ id: 'OpenCase' });
export type OpenCaseRequest = z.output<typeof openCaseBody>;
/** The request once intake has chosen the policy by debtor kind when none was named. */
export type OpenCaseBody = Omit<OpenCaseRequest, 'policy'> & { policy: string };

// ---------------------------------------------------------------------------------------------
// Actions

export const paymentBody = z
  .strictObject({
    amountCents: cents,
    paidAt: calendarDate,
    reference: text(100).meta({ description: 'The same payment reference recorded twice counts once.' }),
    method: optionalText(50).optional().meta({ example: 'virement' }),
  })
  .meta({ id: 'Payment' });

export const promiseBody = z
  .strictObject({
    amountCents: cents,
    promisedDate: calendarDate,
    channel: inboundChannel.optional(),
    agentId: text(100).optional(),
  })
  .meta({ id: 'Promise' });

export const replyBody = z
  .strictObject({
    channel: inboundChannel,
    message: text(10_000),
    receivedAt: instant.optional(),
  })
  .meta({ id: 'Reply' });

export const callOutcomeBody = z
  .strictObject({
    agentId: text(100),
    outcome: z.enum(CALL_OUTCOMES),
    taskId: text(100).optional(),
    notes: text(10_000).optional(),
    callbackAt: instant.optional(),
  })
  .refine((value) => value.outcome !== 'callback_requested' || value.callbackAt !== undefined, {
    message: 'is required when the outcome is callback_requested',
    path: ['callbackAt'],
  })
  .meta({ id: 'CallOutcome' });

export const disputeBody = z
  .strictObject({ reason: text(10_000), channel: inboundChannel.optional() })
  .meta({ id: 'Dispute' });

export const disputeResolutionBody = z
  .strictObject({
    outcome: z.enum(DISPUTE_OUTCOMES),
    adjustedAmountCents: z
      .number()
      .int('must be a whole number of cents')
      .min(0)
      .max(MAX_AMOUNT_CENTS, `must be at most ${MAX_AMOUNT_CENTS} cents (€10 billion)`)
      .optional(),
    notes: text(10_000).optional(),
  })
  .refine((value) => value.outcome !== 'adjusted' || value.adjustedAmountCents !== undefined, {
    message: 'is required when the outcome is adjusted',
    path: ['adjustedAmountCents'],
  })
  .meta({ id: 'DisputeResolution' });

export const installmentPlanBody = z
  .strictObject({
    installments: z
      .array(z.strictObject({ dueDate: calendarDate, amountCents: cents }))
      .min(1, 'must hold at least one installment')
      .max(120, 'at most 120 installments'),
    agreedAt: instant.optional(),
    channel: inboundChannel.optional(),
  })
  .meta({ id: 'InstallmentPlan' });

export const pauseBody = z.strictObject({ reason: text(2_000), until: instant.optional() }).meta({ id: 'Pause' });
export const resumeBody = z.strictObject({}).meta({ id: 'Resume' });
export const cancelBody = z.strictObject({ reason: text(2_000) }).meta({ id: 'Cancel' });
export const cancelPlanBody = z.strictObject({ reason: text(2_000) }).meta({ id: 'CancelInstallmentPlan' });

// ---------------------------------------------------------------------------------------------
// Reads

const limit = z.coerce
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(200, 'must be at most 200')
  .default(50);
const cursor = z.string().max(500).optional().meta({ description: 'nextCursor of the previous page.' });

export const listCasesQuery = z.strictObject({
  status: z.enum(CASE_STATUSES).optional(),
  stage: z.enum(STAGES).optional(),
  creditorId: z.string().max(64).optional(),
  debtorKind: z.enum(DEBTOR_KINDS).optional(),
  limit,
  cursor,
});

export const listCallTasksQuery = z.strictObject({
  status: z.enum(CALL_TASK_STATUSES).default('open'),
  agentId: z.string().max(100).optional(),
  limit,
  cursor,
});

export const caseIdParams = z.strictObject({ id: z.string().regex(/^c_[a-z0-9]{1,40}$/, 'is not a case id') });

export const debtorIdParams = z.strictObject({
  id: z.string().regex(/^d_[a-z0-9]{1,40}$/, 'is not a debtor key'),
});

// ---------------------------------------------------------------------------------------------
// Responses

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();

export const caseResource = z
  .object({
    id: z.string().meta({ example: 'c_3f9a0c1d2e4b5a6978' }),
    reference: z.string(),
    creditorId: z.string(),
    status: z.enum(CASE_STATUSES),
    stage: z.enum(STAGES),
    policy: z.string(),
    debtor: z.object({
      kind: z.enum(DEBTOR_KINDS),
      name: z.string(),
      email: z.string().optional(),
      phone: z.string().optional(),
      address: z.string().optional(),
      lreConsentAt: z.string().optional(),
    }),
    amounts: z.object({
      principalCents: z.number().int(),
      paidCents: z.number().int(),
      balanceCents: z
        .number()
        .int()
        .meta({
          description:
            'What the case pursues today and its messages demand: principal left + lateChargesCents (R3). ' +
            'Payments go to penalties, then principal, then indemnities (Code civil 1343-1, 1342-10), or ' +
            'principal first under a policy that waives the accessories once it is paid.',
        }),
      overpaidCents: z.number().int().meta({ description: 'Paid beyond the balance, to be refunded.' }),
      lateChargesCents: z
        .number()
        .int()
        .meta({
          description:
            'Accessories still due today, included in balanceCents: late-payment penalties and €40 indemnities ' +
            '(business debtors, L441-10, D441-5), legal interest after a mise en demeure (Code civil 1231-6).',
        }),
      currency: z.string(),
    }),
    openedAt: instant,
    closedAt: nullable(instant),
    nextAction: nullable(z.object({ type: z.string(), at: instant })),
    prescription: z.object({ date: nullable(calendarDate), prescribed: z.boolean() }),
    promise: nullable(z.object({ amountCents: z.number().int(), promisedDate: calendarDate })),
    installmentPlan: nullable(
      z.object({
        agreedAt: instant,
        number: nullable(z.number().int()).meta({
          description: '1 for the first plan of the case, 2 for its replacement…',
        }),
        workflowId: nullable(z.string()).meta({ description: "The plan's own workflow, a child of the case's." }),
        outcome: nullable(z.enum(PLAN_OUTCOMES)).meta({ description: 'null while the plan runs' }),
        installments: z.array(
          z.object({
            number: z.number().int(),
            dueDate: calendarDate,
            amountCents: z.number().int(),
            paidCents: z.number().int().meta({ description: 'Payments since the agreement, oldest installment first' }),
            status: z.enum(['paid', 'partially_paid', 'upcoming', 'due', 'late']),
          }),
        ),
        progress: z.object({
          installmentsPaid: z.number().int(),
          installmentsTotal: z.number().int(),
          remainingCents: z.number().int(),
          next: nullable(
            z.object({ number: z.number().int(), dueDate: calendarDate, amountDueCents: z.number().int() }),
          ),
        }),
      }),
    ),
    dispute: nullable(z.object({ openedAt: instant })),
    pause: nullable(z.object({ since: instant, until: nullable(instant) })),
    openCallTasks: z.array(z.object({ id: z.string(), reason: z.string(), dueAt: instant })),
    summary: z.string().meta({ description: 'One line in French, as the Temporal Web UI shows it.' }),
    workflowId: z.string(),
    openAlerts: z
      .number()
      .int()
      .meta({ description: 'Manager alerts of the case not yet acknowledged (GET /alerts). Not in docs/api.md.' }),
    debtorKey: nullable(z.string()).meta({
      description:
        'The debtor the case was linked to when it opened: `GET /debtors/{debtorKey}` shows all of its cases ' +
        '(null for cases opened before debtors were grouped). Not in docs/api.md (issue 15).',
    }),
  })
  .meta({ id: 'Case' });
export type CaseResource = z.output<typeof caseResource>;

export const debtorResource = z
  .object({
    id: z.string().meta({ description: 'The debtor as it stands: the key asked for, or the debtor it merged into.' }),
    keys: z.array(z.string()).meta({
      description:
        'Every key this debtor has had (its own first, then those merged into it): `DebtorKey` in the Temporal ' +
        'Web UI holds one of them on each of its cases.',
    }),
    openCases: z.number().int(),
    closedCases: z.number().int(),
    balances: z
      .array(z.object({ currency: z.string(), balanceCents: z.number().int() }))
      .meta({ description: 'What the open cases pursue today, per currency.' }),
    cases: z.array(caseResource).meta({ description: 'Open cases first, then closed ones, oldest opened first.' }),
    casesTruncated: z
      .boolean()
      .meta({ description: 'True when the debtor has more cases than the 500 shown (and counted) here.' }),
  })
  .meta({ id: 'Debtor' });

export const caseList = z
  .object({ items: z.array(caseResource), nextCursor: nullable(z.string()) })
  .meta({ id: 'CaseList' });

export const documentResource = z
  .object({
    id: z.string().meta({ example: 'doc_3f9a0c1e2b4d5f6a7b8c9d0e' }),
    kind: z.enum(DOCUMENT_KINDS),
    filename: z.string(),
    contentType: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int(),
    createdAt: instant,
  })
  .meta({
    id: 'Document',
    description: 'A file kept as evidence: a letter as posted (the mise en demeure), the handoff dossier.',
  });

export const documentList = z.object({ items: z.array(documentResource) }).meta({ id: 'DocumentList' });

export const documentParams = z.strictObject({
  id: z.string().regex(/^c_[a-z0-9]{1,40}$/, 'is not a case id'),
  documentId: z.string().regex(/^doc_[0-9a-f]{24}$/, 'is not a document id'),
});

export const journalEntryResource = z
  .object({
    at: instant,
    type: z.string().meta({ example: 'message' }),
    channel: z.enum(JOURNAL_CHANNELS).optional(),
    stage: z.string().optional(),
    status: z.enum(MESSAGE_STATUSES).optional(),
    summary: z.string(),
    providerMessageId: z.string().optional(),
    content: z.object({ subject: z.string().optional(), body: z.string().optional() }).optional(),
    document: documentResource
      .pick({ id: true, kind: true, filename: true, sha256: true })
      .extend({ form: z.enum(['lrar', 'lre', 'ordinary']).optional() })
      .optional()
      .meta({
        description: 'The file this entry is about: GET /cases/{id}/documents/{documentId}. Not in docs/api.md.',
      }),
    actor: z.object({ role: z.enum(ACTOR_ROLES), id: z.string().optional() }),
  })
  .meta({ id: 'JournalEntry' });

export const journal = z.object({ entries: z.array(journalEntryResource) }).meta({ id: 'Journal' });

export const callTaskResource = z
  .object({
    id: z.string(),
    caseId: z.string(),
    dueAt: instant,
    reason: z.string(),
    status: z.enum(CALL_TASK_STATUSES),
    debtor: z.object({ name: z.string(), phone: z.string().optional() }),
    balanceCents: z.number().int(),
    outcome: z.string().optional(),
    agentId: z.string().optional(),
    closedAt: instant.optional(),
  })
  .meta({ id: 'CallTask' });

export const callTaskList = z
  .object({ items: z.array(callTaskResource), nextCursor: nullable(z.string()) })
  .meta({ id: 'CallTaskList' });

export const health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    temporal: z.object({ status: z.enum(['up', 'down']) }),
    database: z.object({ status: z.enum(['up', 'down']) }),
  })
  .meta({ id: 'Health' });

// ---------------------------------------------------------------------------------------------
// Manager alerts (not in docs/api.md)

export const listAlertsQuery = z.strictObject({
  kind: z.string().max(64).optional().meta({ example: 'message_outcome_unknown' }),
  status: z.enum(ALERT_STATUSES).optional(),
  creditorId: z.string().max(64).optional(),
  limit,
  cursor,
});

export const alertIdParams = z.strictObject({ id: z.string().regex(/^al_[0-9a-f]{24}$/, 'is not an alert id') });

export const acknowledgeAlertBody = z
  .strictObject({
    resolution: z.enum(ALERT_RESOLUTIONS).meta({
      description:
        'noted: seen, for any alert. For message_outcome_unknown only: message_left (the provider shows it: settled ' +
        'as sent) or send_again (the provider never had it: sent once more under the same idempotency key, through ' +
        'the normal contact rules).',
    }),
    note: text(2_000).optional().meta({ description: 'Kept in the journal, e.g. what the provider showed.' }),
  })
  .meta({ id: 'AlertAcknowledgement' });

export const alertResource = z
  .object({
    id: z.string().meta({ example: 'al_3f9a0c1d2e4b5a6978c0d1e2' }),
    caseId: z.string(),
    creditorId: z.string(),
    kind: z.string().meta({ example: 'message_outcome_unknown' }),
    message: z.string().meta({ description: 'In French.' }),
    raisedAt: instant,
    status: z.enum(ALERT_STATUSES),
    send: z
      .object({ idempotencyKey: z.string(), stage: z.string(), channel: z.string() })
      .optional()
      .meta({ description: 'For message_outcome_unknown: the send it is about.' }),
    acknowledgedAt: instant.optional(),
    acknowledgedBy: z.object({ role: z.enum(ACTOR_ROLES), id: z.string().optional() }).optional(),
    resolution: z.enum(ALERT_RESOLUTIONS).optional(),
    note: z.string().optional(),
  })
  .meta({ id: 'Alert' });

export const alertList = z
  .object({ items: z.array(alertResource), nextCursor: nullable(z.string()) })
  .meta({ id: 'AlertList' });

export const errorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]),
      message: z.string(),
      details: z.array(z.unknown()).meta({
        description:
          'validation_failed: one {path, reason} per field; not_collectable: one {path, reason, condition, code} per failed condition.',
      }),
    }),
  })
  .meta({ id: 'Error' });
