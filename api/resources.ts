/**
 * What the API answers: the Case of the workflow (which holds no personal data, R7) merged
 * with the debtor's details from the case record, journal entries and call tasks as stored.
 * Instants are given in Paris time with their offset, as the contract's examples show.
 */
import { DateTime } from 'luxon';
import type { CaseView } from '../activities/contracts';
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

/** The workflow's view of the case (live, stored, or its opening view) with the record's debtor. */
export function caseResource(record: CaseRecord, view: CaseView): CaseResource {
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
    debtorKey: record.debtorKey ?? null,
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
