/**
 * What the API answers: the live Case of the workflow (which holds no personal data, R7) merged
 * with the debtor's details from the case record, journal entries and call tasks as stored.
 * Instants are given in Paris time with their offset, as the contract's examples show.
 */
import { DateTime } from 'luxon';
import type { CaseView } from '../activities/contracts';
import { parisDateOf } from '../domain/dates';
import { DEFAULT_RATE_TABLE } from '../domain/late-charges';
import { getPolicy } from '../domain/policies';
import { computeStatement } from '../domain/statement';
import { PARIS } from '../domain/types';
import type { CaseRecord } from '../models/case-record';
import type { CallTaskRecord } from '../models/call-task';
import type { StoredDocument } from '../models/document';
import type { JournalEntry } from '../models/journal-entry';
import type { z } from 'zod';
import type * as schemas from './schemas';
import type { CaseResource } from './schemas';

export function parisIso(value: string | Date): string {
  const instant = typeof value === 'string' ? DateTime.fromISO(value) : DateTime.fromJSDate(value);
  return instant.setZone(PARIS).toISO({ suppressMilliseconds: true })!;
}
const parisIsoOrNull = (value: string | null | undefined): string | null => (value ? parisIso(value) : null);

function definedOnly<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined && field !== null)) as T;
}

/**
 * R3: a business claim opened late already owes its penalties and €40 indemnities (when the policy
 * claims them); the first answer states them as the workflow will (domain/statement.ts), as of the
 * opening. A rate table that does not cover the day gives none rather than a guess, as the case does.
 */
function amountsOnOpening(record: CaseRecord, principal: number): { lateChargesCents: number } {
  try {
    const policy = getPolicy(record.policy);
    const claimed = record.debtorKind === 'business' && policy.lateCharges !== 'waive';
    if (!claimed) return { lateChargesCents: 0 };
    const { totals } = computeStatement({
      invoices: record.claim.invoices.map(({ number, issueDate, dueDate, amountCents }) => ({
        number,
        issueDate,
        dueDate,
        amountCents,
      })),
      payments: [],
      debtorKind: record.debtorKind,
      asOf: parisDateOf(record.openedAt),
      lateCharges: 'claim',
      accessories: policy.accessories ?? 'claimed',
      rates: DEFAULT_RATE_TABLE,
    });
    return { lateChargesCents: totals.balanceCents - principal };
  } catch {
    return { lateChargesCents: 0 };
  }
}

/**
 * Before the workflow's first projection lands (a few milliseconds after intake), the record is
 * all there is: an active case at no stage, owing its invoices.
 */
function viewFromRecord(record: CaseRecord): CaseView {
  const principal = record.claim.invoices.reduce((sum, invoice) => sum + invoice.amountCents, 0);
  const due = amountsOnOpening(record, principal);
  return {
    id: record.caseId,
    reference: record.reference,
    creditorId: record.creditorId,
    debtorKind: record.debtorKind,
    policy: record.policy,
    status: record.status,
    stage: record.stage,
    amounts: {
      principalCents: principal,
      paidCents: 0,
      balanceCents: principal + due.lateChargesCents,
      overpaidCents: 0,
      lateChargesCents: due.lateChargesCents,
      currency: record.claim.currency,
    },
    openedAt: record.openedAt.toISOString(),
    closedAt: null,
    nextAction: null,
    prescription: { date: null, prescribed: false },
    promise: null,
    installmentPlan: null,
    dispute: null,
    pause: null,
    openCallTasks: [],
    summary: 'Dossier ouvert',
    workflowId: record.workflowId,
    revision: -1,
  };
}

export function caseResource(record: CaseRecord, live?: CaseView | null): CaseResource {
  const view = live ?? record.projection ?? viewFromRecord(record);
  const { debtor } = record;
  return {
    id: view.id,
    reference: view.reference,
    creditorId: view.creditorId,
    status: view.status as CaseResource['status'],
    stage: view.stage as CaseResource['stage'],
    policy: view.policy,
    debtor: definedOnly({
      kind: debtor.kind,
      name: debtor.name,
      email: debtor.email ?? undefined,
      phone: debtor.phone ?? undefined,
      address: debtor.address ?? undefined,
      lreConsentAt: debtor.lreConsentAt ?? undefined,
    }),
    amounts: view.amounts,
    openedAt: parisIso(view.openedAt),
    closedAt: parisIsoOrNull(view.closedAt),
    nextAction: view.nextAction ? { type: view.nextAction.type, at: parisIso(view.nextAction.at) } : null,
    prescription: view.prescription,
    promise: view.promise,
    installmentPlan: view.installmentPlan
      ? ({
          ...view.installmentPlan,
          agreedAt: parisIso(view.installmentPlan.agreedAt),
        } as CaseResource['installmentPlan'])
      : null,
    dispute: view.dispute ? { openedAt: parisIso(view.dispute.openedAt) } : null,
    pause: view.pause ? { since: parisIso(view.pause.since), until: parisIsoOrNull(view.pause.until) } : null,
    openCallTasks: view.openCallTasks.map((task) => ({ ...task, dueAt: parisIso(task.dueAt) })),
    summary: view.summary,
    workflowId: view.workflowId,
    openAlerts: view.openAlerts ?? 0,
  };
}

export function journalEntryResource(entry: JournalEntry): z.output<typeof schemas.journalEntryResource> {
  return definedOnly({
    at: parisIso(entry.at),
    type: entry.type,
    channel: entry.channel ?? undefined,
    stage: entry.stage ?? undefined,
    status: entry.status ?? undefined,
    summary: entry.summary,
    providerMessageId: entry.providerMessageId ?? undefined,
    content:
      entry.content && (entry.content.subject || entry.content.body)
        ? definedOnly({ subject: entry.content.subject ?? undefined, body: entry.content.body ?? undefined })
        : undefined,
    document: entry.document
      ? definedOnly({
          id: entry.document.id,
          kind: entry.document.kind,
          filename: entry.document.filename,
          sha256: entry.document.sha256,
          form: entry.document.form ?? undefined,
        })
      : undefined,
    actor: definedOnly({ role: entry.actor!.role, id: entry.actor!.id ?? undefined }),
  }) as z.output<typeof schemas.journalEntryResource>;
}

export function callTaskResource(
  task: CallTaskRecord,
  debtor: Pick<CaseRecord['debtor'], 'name' | 'phone'> | undefined,
): z.output<typeof schemas.callTaskResource> {
  return definedOnly({
    id: task.taskId,
    caseId: task.caseId,
    dueAt: parisIso(task.dueAt),
    reason: task.reason,
    status: task.status,
    // A task always belongs to a case record; "?" only if the record was archived meanwhile.
    debtor: definedOnly({ name: debtor?.name ?? '?', phone: debtor?.phone ?? undefined }),
    balanceCents: task.balanceCents,
    outcome: task.outcome ?? undefined,
    agentId: task.agentId ?? undefined,
    closedAt: task.closedAt ? parisIso(task.closedAt) : undefined,
  }) as z.output<typeof schemas.callTaskResource>;
}

export function documentListing(document: Omit<StoredDocument, 'content'>): z.output<typeof schemas.documentResource> {
  return {
    id: document.documentId,
    kind: document.kind as z.output<typeof schemas.documentResource>['kind'],
    filename: document.filename,
    contentType: document.contentType,
    sha256: document.sha256,
    size: document.size,
    createdAt: parisIso(document.createdAt),
  };
}
