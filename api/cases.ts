/**
 * Everything the routes do with a case once it exists: the actions (each an Update of the case
 * workflow, answered once the workflow applied or refused it) and the reads (the case record and
 * its projection in the database, merged with the workflow's live state).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { CaseView } from '../activities/contracts';
import type { Actor } from '../domain/case/actions';
import { TERMINAL_STATUSES } from '../domain/case/types';
import type { CallTaskModel } from '../models/call-task';
import { storeProjection, type CaseRecord, type CaseRecordModel } from '../models/case-record';
import { isDuplicateKey } from '../models/connection';
import { documentBytes, type DocumentModel } from '../models/document';
import type { JournalEntryModel } from '../models/journal-entry';
import { getCaseQuery } from '../workflows/case-definitions';
import { ApiError } from './errors';
import { afterCursor, decodeCursor, page } from './pagination';
import { caseResource, callTaskResource, documentListing, journalEntryResource } from './resources';
import type { CaseResource, listCallTasksQuery, listCasesQuery } from './schemas';
import { isTemporalUnreachable, refusedUpdate, unavailable } from './upstream-errors';
import type { z } from 'zod';

export interface CaseServiceDependencies {
  records: CaseRecordModel;
  journal: JournalEntryModel;
  documents: DocumentModel;
  callTasks: CallTaskModel;
  client: Client;
  /** How long a call to Temporal may take before the answer is 503. */
  temporalTimeoutMs: number;
  /**
   * How long `GET /cases/:id` waits for the workflow's own answer before answering the stored
   * projection instead (default 5 s, half of `temporalTimeoutMs`'s default).
   */
  liveReadTimeoutMs?: number;
}

/** A case as read: `live` when the workflow answered, false when the stored projection did. */
export interface CaseRead {
  resource: CaseResource;
  live: boolean;
}

const isTerminal = (status: string): boolean => (TERMINAL_STATUSES as readonly string[]).includes(status);

export function createCaseService(dependencies: CaseServiceDependencies) {
  const { records, journal, documents, callTasks, client, temporalTimeoutMs } = dependencies;
  const liveReadTimeoutMs = dependencies.liveReadTimeoutMs ?? 5_000;

  const withinDeadline = <T>(call: () => Promise<T>): Promise<T> =>
    client.withDeadline(Date.now() + temporalTimeoutMs, call);

  async function findRecord(caseId: string): Promise<CaseRecord> {
    const record = await records.findOne({ caseId }).lean<CaseRecord>();
    if (!record) throw new ApiError('not_found', `no case ${caseId}`);
    return record;
  }

  /** Runs one action; a refusal comes back as the contract's 409 or 422, with nothing changed. */
  async function act<Input>(
    caseId: string,
    update: UpdateDefinition<CaseView, [Input, Actor]>,
    input: Input,
    actor: Actor,
  ): Promise<CaseResource> {
    const record = await findRecord(caseId);
    const handle = client.workflow.getHandle(record.workflowId);
    try {
      const view = await withinDeadline(() => handle.executeUpdate(update, { args: [input, actor] }));
      // Lists read the stored projection: store what was just answered rather than wait for the
      // workflow's own write. Best effort: that write follows anyway.
      await storeProjection(records, view).catch(() => undefined);
      return caseResource(record, view);
    } catch (error) {
      const refused = refusedUpdate(error);
      if (refused) throw refused;
      if (error instanceof WorkflowNotFoundError) {
        // The workflow has ended (the record's projection says how) or intake has not started it yet.
        if (!record.workflowStartedAt) throw unavailable('Temporal');
        throw new ApiError('invalid_transition', `the case is ${record.status}: it accepts no more actions`);
      }
      if (isTemporalUnreachable(error)) throw unavailable('Temporal');
      throw error;
    }
  }

  /**
   * The live state of the workflow merged into the record, or, when the workflow cannot answer in
   * `liveReadTimeoutMs`, its last stored projection (what `GET /cases` lists), said by `live: false`.
   * Why not a 503: the case exists and the database knows its last state. A query is delivered to
   * the worker that last ran the workflow (its sticky queue); when that worker died, the Temporal
   * server hands the query to the shared queue only after the sticky schedule-to-start timeout
   * (worker/main.ts keeps it short), and the time-skipping test server never does, nor implements
   * ResetStickyTaskQueue: an idle case would stay unreadable until its next workflow task.
   */
  async function getCase(caseId: string): Promise<CaseRead> {
    const record = await findRecord(caseId);
    const view = await liveView(record, { orStoredState: true, timeoutMs: liveReadTimeoutMs });
    const live = view !== undefined || isTerminal(record.status);
    return { resource: caseResource(record, view), live };
  }

  /**
   * The workflow's view; undefined when the record's own projection is the answer. `orStoredState`:
   * when the workflow cannot answer, undefined (the stored projection) instead of a 503.
   */
  async function liveView(
    record: CaseRecord,
    options: { orStoredState?: boolean; timeoutMs?: number },
  ): Promise<CaseView | undefined> {
    // A closed case's last projection is its final state: no need to ask the workflow.
    if (isTerminal(record.status) || !record.workflowStartedAt) return undefined;
    try {
      return await client.withDeadline(Date.now() + (options.timeoutMs ?? temporalTimeoutMs), () =>
        client.workflow.getHandle(record.workflowId).query(getCaseQuery),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      if (isTemporalUnreachable(error)) {
        if (options.orStoredState) return undefined;
        throw unavailable('Temporal');
      }
      throw error;
    }
  }

  /**
   * The answer to `POST /cases`, stored as the case's projection before it is sent, so that
   * `GET /cases` right after shows the stage and next action the client was just told (the
   * workflow's own write lands a moment later). The case exists whatever happens here: a slow
   * workflow or a failed write must not turn that into an error; the workflow's write follows.
   */
  async function answerOpened(record: CaseRecord): Promise<CaseResource> {
    const view = await liveView(record, { orStoredState: true });
    if (view) await storeProjection(records, view).catch(() => undefined);
    return caseResource(record, view);
  }

  /**
   * After a call outcome, the agents' queue as the answer describes it, before the answer is sent:
   * the task named is closed and a requested callback is queued. The workflow's activities write
   * the same later; both writes are idempotent (an open task only is closed, a task id is unique).
   */
  async function settleCallTasks(
    caseId: string,
    outcome: { taskId?: string | undefined; outcome: string; agentId: string },
    answered: CaseResource,
  ): Promise<void> {
    const writes: Promise<unknown>[] = [];
    if (outcome.taskId && !answered.openCallTasks.some((task) => task.id === outcome.taskId)) {
      writes.push(
        callTasks.updateOne(
          { taskId: outcome.taskId, caseId, status: 'open' },
          { $set: { status: 'done', outcome: outcome.outcome, agentId: outcome.agentId, closedAt: new Date() } },
        ),
      );
    }
    for (const task of answered.openCallTasks) {
      writes.push(
        callTasks
          .create({
            taskId: task.id,
            caseId,
            reason: task.reason,
            dueAt: new Date(task.dueAt),
            status: 'open',
            balanceCents: answered.amounts.balanceCents,
          })
          .catch((error: unknown) => {
            if (!isDuplicateKey(error)) throw error;
          }),
      );
    }
    // Best effort, as for the projection: the action is applied, and the workflow's writes follow.
    await Promise.all(writes.map((write) => write.catch(() => undefined)));
  }

  /** Newest first, by opening time. */
  async function listCases(query: z.output<typeof listCasesQuery>) {
    const filter: Record<string, unknown> = {};
    if (query.status) filter.status = query.status;
    if (query.stage) filter.stage = query.stage;
    if (query.creditorId) filter.creditorId = query.creditorId;
    if (query.debtorKind) filter.debtorKind = query.debtorKind;
    if (query.cursor) Object.assign(filter, afterCursor('openedAt', decodeCursor(query.cursor), -1));
    const found = await records
      .find(filter)
      .sort({ openedAt: -1, _id: -1 })
      .limit(query.limit + 1)
      .lean<(CaseRecord & { _id: import('mongoose').Types.ObjectId })[]>();
    const { items, nextCursor } = page(found, query.limit, (record) => record.openedAt);
    return { items: items.map((record) => caseResource(record)), nextCursor };
  }

  /** The whole evidence trail, oldest first: nothing is paged away. */
  async function getJournal(caseId: string) {
    await findRecord(caseId);
    const entries = await journal.find({ caseId }).sort({ at: 1, _id: 1 }).lean();
    return { entries: entries.map(journalEntryResource) };
  }

  /** The files kept as evidence, oldest first, without their bytes. */
  async function listDocuments(caseId: string) {
    await findRecord(caseId);
    const listed = await documents.find({ caseId }, { content: 0 }).sort({ createdAt: 1, _id: 1 }).lean();
    return { items: listed.map(documentListing) };
  }

  /** One file exactly as kept (the bytes the journal's SHA-256 names). */
  async function getDocument(caseId: string, documentId: string) {
    const found = await documents.findOne({ caseId, documentId }).lean();
    if (!found) throw new ApiError('not_found', `no document ${documentId} in case ${caseId}`);
    return { contentType: found.contentType, filename: found.filename, content: documentBytes(found.content) };
  }

  /** By due time, soonest first: the agents' queue. */
  async function listCallTasks(query: z.output<typeof listCallTasksQuery>) {
    const filter: Record<string, unknown> = { status: query.status };
    if (query.agentId) filter.agentId = query.agentId;
    if (query.cursor) Object.assign(filter, afterCursor('dueAt', decodeCursor(query.cursor), 1));
    const found = await callTasks
      .find(filter)
      .sort({ dueAt: 1, _id: 1 })
      .limit(query.limit + 1)
      .lean();
    const { items, nextCursor } = page(found, query.limit, (task) => task.dueAt);
    const caseIds = [...new Set(items.map((task) => task.caseId))];
    const debtors = new Map(
      (
        await records
          .find({ caseId: { $in: caseIds } }, { caseId: 1, 'debtor.name': 1, 'debtor.phone': 1 })
          .lean<Pick<CaseRecord, 'caseId' | 'debtor'>[]>()
      ).map((record) => [record.caseId, record.debtor] as const),
    );
    return { items: items.map((task) => callTaskResource(task, debtors.get(task.caseId))), nextCursor };
  }

  return {
    act,
    answerOpened,
    settleCallTasks,
    getCase,
    listCases,
    getJournal,
    listDocuments,
    getDocument,
    listCallTasks,
  };
}

export type CaseService = ReturnType<typeof createCaseService>;
