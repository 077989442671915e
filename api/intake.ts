/**
 * Opening a case (`POST /cases`): the collectability check, then two writes that must agree — the
 * case record in the database and the case workflow in Temporal — with no transaction spanning
 * them. What makes that safe:
 *
 * - the case id is derived from (creditor, reference), and the workflow id from the case id, so
 *   every retry, concurrent request or sweep names the same workflow, and Temporal refuses a
 *   second one with that id: never two workflows;
 * - a `pending_intakes` entry (`_id` = case id) is inserted first, then the record, whole, in one
 *   insert whose `_id` is the case id (the unique `_id` is the idempotency: a second insert is a
 *   duplicate key); the workflow is started next, then the pending entry deleted. A process that
 *   dies in between leaves a pending entry whose workflow `startPendingWorkflows` (run at start-up
 *   and every minute, reading only that small collection) or the client's retry starts: the case
 *   is never lost. The record itself is never written again;
 * - if Temporal cannot be reached, the record and its pending entry are removed again and the
 *   answer is 503: the request had no effect, as the contract asks;
 * - a database lock or timeout on the insert leaves its outcome unknown: the 503 says the case
 *   may be open, and the same request again settles it (the record is found, or inserted).
 *
 * Every look-up is by `_id` (FerretDB over SQLite pushes no other filter down), and the answer is
 * computed from the record by the rules the workflow runs on its first task (domain/case/opening.ts),
 * without asking the workflow: a query of a workflow just started waits for its first task.
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import stableStringify from 'safe-stable-stringify';
import { checkCollectability } from '../domain/collectability';
import type { CaseView } from '../activities/contracts';
import { openingView } from '../domain/case/opening';
import type { CaseInput } from '../domain/case/types';
import { reachableChannelsOf } from '../domain/case/reachability';
import { parisDateOf } from '../domain/dates';
import { formatAmount } from '../domain/money';
import type { Connection } from 'mongoose';
import type { CaseRecord, CaseRecordModel } from '../models/case-record';
import { isDuplicateKey } from '../models/connection';
import { digested, linkCaseToDebtor } from '../models/debtor-directory';
import { debtorIdentifiers } from '../domain/debtor/identity';
import type { PendingIntakeModel } from '../models/pending-intake';
import type { Logger } from '../observability/logger';
import { CASE_WORKFLOW_TYPE, caseWorkflowId } from '../workflows/case-definitions';
import type { collectionCase } from '../workflows/collection-case';
import { BalanceCents, CaseStage, CaseStatus, CreditorId, DebtorKey, DebtorKind } from '../workflows/search-attributes';
import { ApiError } from './errors';
import type { OpenCaseBody, OpenCaseRequest } from './schemas';
import { holidayRegionOfAddress } from '../domain/calendar';
import { defaultPolicyIdFor } from '../domain/policies';
import { isDatabaseUnreachable, isTemporalUnreachable, unavailable } from './upstream-errors';

export interface IntakeDependencies {
  records: CaseRecordModel;
  pending: PendingIntakeModel;
  /** The debtor directory's database, and the key identifiers are digested under (identifierKeyFrom). */
  debtors: { database: Connection; identifierKey: Buffer };
  client: Client;
  taskQueue: string;
  now: () => Promise<Date>;
  logger: Logger;
}

/** 20 hex digits of SHA-256: no personal data, and the same (creditor, reference) always maps to it. */
export function caseIdFor(creditorId: string, reference: string): string {
  return `c_${createHash('sha256').update(`${creditorId}\u0000${reference}`).digest('hex').slice(0, 20)}`;
}

/** Key order and defaults applied: two payloads that mean the same case hash the same. */
function payloadHashOf(body: OpenCaseBody): string {
  return createHash('sha256').update(stableStringify(body)).digest('hex');
}

/** R2 needs "how to pay" in every message; without instructions, the plainest ones that are always true. */
function paymentInstructionsFor(body: OpenCaseBody): string {
  return (
    body.creditor.paymentInstructions ??
    `par virement ou par chèque à l'ordre de ${body.creditor.name}, ${body.creditor.address}, ` +
      `en rappelant la référence ${body.reference}`
  );
}

/** Exactly what the workflow is started with: the intake answer is computed from it too. */
export function workflowInput(record: CaseRecord): CaseInput {
  return {
    caseId: record.caseId,
    reference: record.reference,
    creditorId: record.creditorId,
    debtorKind: record.debtorKind,
    policyId: record.policy,
    currency: record.claim.currency,
    invoices: record.claim.invoices.map((invoice) => ({
      number: invoice.number,
      issueDate: invoice.issueDate,
      dueDate: invoice.dueDate,
      amountCents: invoice.amountCents,
      ...(invoice.performanceDate ? { performanceDate: invoice.performanceDate } : {}),
    })),
    ...(record.claim.type ? { claimType: record.claim.type } : {}),
    openedAt: record.openedAt.toISOString(),
    reachableChannels: reachableChannelsOf(record.debtor),
    holidayRegion: holidayRegionOfAddress(record.debtor.address),
  };
}

/** The Case `POST /cases` answers: the workflow's first view, from the same input and rules. */
export function openedView(record: CaseRecord): CaseView {
  return openingView(workflowInput(record), record.workflowId);
}

export function createIntake(dependencies: IntakeDependencies) {
  const { records, pending, debtors, client, taskQueue, now, logger } = dependencies;

  /**
   * The debtor of a case about to be opened, linked before its record is written so that the
   * record holds it. Idempotent (a retry links the same case to the same debtor); a case whose
   * intake is undone stays listed under its debtor without a record, and readers skip it.
   */
  async function linkDebtor(caseId: string, body: OpenCaseBody, openedAt: Date): Promise<string> {
    const identifiers = debtorIdentifiers({
      creditorId: body.creditor.id,
      id: body.debtor.id,
      legalId: body.debtor.legalId,
      email: body.debtor.email,
      phone: body.debtor.phone,
    }).map((identifier) => digested(identifier, debtors.identifierKey));
    const link = await linkCaseToDebtor(debtors.database, { caseId, openedAt, identifiers });
    if (link.keptApartFrom) {
      logger.warn(
        { caseId, debtorKey: link.debtorKey, keptApartFrom: link.keptApartFrom },
        'debtor kept apart: it shares a contact point with debtors that cannot be one (registry numbers or customer ids differ)',
      );
    }
    return link.debtorKey;
  }

  /** Starts the case's workflow unless it already runs (or ran): idempotent by workflow id. */
  async function startWorkflow(record: CaseRecord): Promise<void> {
    try {
      await client.workflow.start<typeof collectionCase>(CASE_WORKFLOW_TYPE, {
        workflowId: record.workflowId,
        taskQueue,
        args: [workflowInput(record)],
        // A closed case is never run again under the same id.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        // Shown in the Web UI's list: ids and amounts only (R7).
        staticSummary: `Créance ${record.reference} (${record.creditorId}) — ${formatAmount(record.balanceCents, record.claim.currency)}`,
        typedSearchAttributes: [
          { key: CaseStatus, value: 'active' },
          { key: CaseStage, value: 'none' },
          { key: BalanceCents, value: record.balanceCents },
          { key: CreditorId, value: record.creditorId },
          { key: DebtorKind, value: record.debtorKind },
          ...(record.debtorKey ? [{ key: DebtorKey, value: record.debtorKey }] : []),
        ],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    // Bookkeeping only: the workflow runs, so the case is open whatever happens to this delete, and
    // the answer must say so. Left behind, the entry makes the sweep start the workflow again: a no-op.
    await pending.deleteOne({ _id: record.caseId }).catch((error: unknown) => {
      logger.warn({ caseId: record.caseId, errName: (error as Error)?.name }, 'workflow started, pending intake kept');
    });
  }

  /** For a case found already opened: starts its workflow if its intake was interrupted. */
  async function ensureWorkflow(record: CaseRecord): Promise<void> {
    if (await pending.exists({ _id: record.caseId })) await startWorkflow(record);
  }

  async function existingCase(body: OpenCaseBody, payloadHash: string): Promise<CaseRecord | null> {
    // The case id is a function of (creditor, reference): the idempotency key is the `_id`.
    const existing = await records.findOne({ _id: caseIdFor(body.creditor.id, body.reference) }).lean<CaseRecord>();
    if (existing && existing.payloadHash !== payloadHash) {
      throw new ApiError(
        'conflict',
        `creditor ${body.creditor.id} already has a case with reference ${body.reference}, opened with another payload`,
        [
          {
            path: 'body.reference',
            reason: 'already used by this creditor for a different case',
            caseId: existing.caseId,
          },
        ],
      );
    }
    return existing;
  }

  /** `created` is false when the identical case existed already (the contract's 200). */
  async function openCase(request: OpenCaseRequest): Promise<{ created: boolean; record: CaseRecord }> {
    // Chosen before the payload is hashed, so that naming the default policy or leaving it out is
    // the same request.
    const body: OpenCaseBody = { ...request, policy: request.policy ?? defaultPolicyIdFor(request.debtor.kind) };
    const openedAt = await now();
    const verdict = checkCollectability(
      { ...body.claim, basis: body.claim.basis ?? '' },
      body.debtor.kind,
      parisDateOf(openedAt),
    );
    if (!verdict.collectable) {
      throw new ApiError(
        'not_collectable',
        `the claim is not collectable: ${verdict.reasons.map((reason) => reason.message).join('; ')}`,
        verdict.reasons.map((reason) => ({
          path: `body.${reason.path}`,
          reason: reason.message,
          condition: reason.condition,
          code: reason.code,
        })),
      );
    }
    const payloadHash = payloadHashOf(body);
    const earlier = await existingCase(body, payloadHash);
    if (earlier) {
      await ensureWorkflow(earlier);
      return { created: false, record: earlier };
    }

    const caseId = caseIdFor(body.creditor.id, body.reference);
    let debtorKey: string;
    try {
      debtorKey = await linkDebtor(caseId, body, openedAt);
    } catch (error) {
      if (isDatabaseUnreachable(error)) throw unavailable('the database');
      throw error;
    }
    // Kept once, as the messages read it, in `paymentInstructions` below.
    const { paymentInstructions: _instructions, ...creditor } = body.creditor;
    const document = {
      _id: caseId,
      caseId,
      creditorId: body.creditor.id,
      reference: body.reference,
      payloadHash,
      workflowId: caseWorkflowId(caseId),
      creditor,
      ...(body.collector ? { collector: body.collector } : {}),
      debtor: body.debtor,
      claim: { ...body.claim, basis: body.claim.basis ?? '' },
      policy: body.policy,
      paymentInstructions: paymentInstructionsFor(body),
      openedAt,
      balanceCents: body.claim.invoices.reduce((sum, invoice) => sum + invoice.amountCents, 0),
      debtorKind: body.debtor.kind,
      debtorKey,
    };
    let record: CaseRecord;
    try {
      // First, so that no record ever exists without it until its workflow runs. A duplicate is an
      // earlier or concurrent intake of this same case: its entry is this one's too.
      await pending.create({ _id: caseId, openedAt }).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
      record = (await records.create(document)).toObject() as CaseRecord;
    } catch (error) {
      // A lock or a timeout does not say whether the insert landed: the answer must not say it did
      // not. The same request again finds the record (200) or inserts it (201).
      if (isDatabaseUnreachable(error)) throw unavailable('the database', 'unknown');
      if (!isDuplicateKey(error)) throw error;
      // A concurrent request won the insert: the same case (200) or another payload (409).
      const concurrent = await existingCase(body, payloadHash);
      if (!concurrent) throw unavailable('the database');
      await ensureWorkflow(concurrent);
      return { created: false, record: concurrent };
    }

    try {
      await startWorkflow(record);
    } catch (error) {
      if (isTemporalUnreachable(error)) {
        // A concurrent identical request started the workflow (and deleted the entry) meanwhile:
        // the case is open, and this answer cannot say more than that it may be.
        if (!(await pending.exists({ _id: caseId }).catch(() => null))) throw unavailable('Temporal', 'unknown');
        // Undo the inserts so that the request had no effect; if even that fails, the sweep starts
        // the workflow later, and the answer says the case may be open. The record goes first: a
        // pending entry without a record is dropped by the sweep, never started.
        const undone = await records
          .deleteOne({ _id: caseId })
          .then(() => pending.deleteOne({ _id: caseId }))
          .then(
            () => true,
            () => false,
          );
        throw unavailable('Temporal', undone ? 'none' : 'unknown');
      }
      throw error;
    }
    logger.info({ caseId, creditorId: record.creditorId, policy: record.policy }, 'case opened');
    return { created: true, record };
  }

  /**
   * Starts the workflows of intakes left unfinished by a process that died mid-intake. Only entries
   * older than `graceMs`, so an intake still in flight finishes its own work. It reads the whole of
   * `pending_intakes` (FerretDB scans for any filter but `_id`), which holds only intakes in flight
   * or interrupted: a few documents, read at most once a minute, 100 at a time.
   */
  async function startPendingWorkflows(graceMs = 60_000): Promise<number> {
    const cutoff = (await now()).getTime() - graceMs;
    const entries = await pending.find().sort({ openedAt: 1 }).limit(100).lean<{ _id: string; openedAt: Date }[]>();
    let started = 0;
    for (const entry of entries) {
      if (entry.openedAt.getTime() >= cutoff) continue;
      const record = await records.findOne({ _id: entry._id }).lean<CaseRecord>();
      if (!record) {
        // The intake stopped before its record, or was undone: nothing was opened.
        await pending.deleteOne({ _id: entry._id });
        continue;
      }
      await startWorkflow(record);
      started += 1;
      logger.warn({ caseId: record.caseId }, 'started the workflow of a case whose intake was interrupted');
    }
    return started;
  }

  return { openCase, startPendingWorkflows };
}

export type Intake = ReturnType<typeof createIntake>;
