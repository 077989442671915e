/**
 * Everything the routes do with a case once it exists: the actions (each an Update of the case
 * workflow, answered once the workflow applied or refused it) and the reads (the case record and
 * the view its workflow saved with its last change, both in the database).
 *
 * Every database read here is by `_id` (the case id): FerretDB over SQLite turns no other filter
 * into SQL, and reads and decodes the whole collection for it. Lists come from Temporal's
 * visibility (the case workflows' search attributes), then each listed case's record and view by
 * `_id`. The API writes neither the record (intake's, once) nor the view (the workflow's).
 */
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { CaseStage, CaseStatus, CreditorId, DebtorKind } from '../workflows/search-attributes';
import type { CaseView } from '../activities/contracts';
import type { Actor } from '../domain/case/actions';
import {
  closeCallTask,
  createCallTask,
  listOpenCallTasks,
  type CallTaskModel,
  type CallTaskRecord,
} from '../models/call-task';
import type { CaseRecord, CaseRecordModel } from '../models/case-record';
import { storedView, type CaseViewModel } from '../models/case-view';
import { documentBytes, documentsOf, findDocument } from '../models/document';
import { journalOf } from '../models/journal-entry';
import type { PendingIntakeModel } from '../models/pending-intake';
import { CASE_WORKFLOW_TYPE, caseWorkflowId } from '../workflows/case-definitions';
import { ApiError } from './errors';
import { openedView } from './intake';
import { afterCursor, decodeCursor, decodePageToken, encodePageToken, invalidCursor, page } from './pagination';
import { caseResource, callTaskResource, documentListing, journalEntryResource } from './resources';
import type { CaseResource, listCallTasksQuery, listCasesQuery } from './schemas';
import { isTemporalUnreachable, refusedUpdate, unavailable } from './upstream-errors';
import type { Connection } from 'mongoose';
import type { z } from 'zod';

export interface CaseServiceDependencies {
  records: CaseRecordModel;
  views: CaseViewModel;
  pending: PendingIntakeModel;
  /** Journal, documents and the call-task queue are read through their models' `_id`-only helpers. */
  database: Connection;
  callTasks: CallTaskModel;
  client: Client;
  /** How long a call to Temporal may take before the answer is 503. */
  temporalTimeoutMs: number;
}

/** A case as read, and where it was read from (the `X-Case-State` header). */
export interface CaseRead {
  resource: CaseResource;
  source: 'saved' | 'opened';
}

/** The creditor ids intake accepts (api/schemas.ts): anything else can be no case's. */
const CREDITOR_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CASE_WORKFLOW_ID_PREFIX = caseWorkflowId('');
const GRPC_INVALID_ARGUMENT = 3;

/**
 * The visibility query of a list. Every value is an enum member or a creditor id of the alphabet
 * above: nothing in it can close the quotes.
 */
export function visibilityQuery(
  filters: Pick<z.output<typeof listCasesQuery>, 'status' | 'stage' | 'creditorId' | 'debtorKind'>,
): string {
  const clauses = [`WorkflowType = '${CASE_WORKFLOW_TYPE}'`];
  if (filters.status) clauses.push(`${CaseStatus.name} = '${filters.status}'`);
  if (filters.stage) clauses.push(`${CaseStage.name} = '${filters.stage}'`);
  if (filters.creditorId) clauses.push(`${CreditorId.name} = '${filters.creditorId}'`);
  if (filters.debtorKind) clauses.push(`${DebtorKind.name} = '${filters.debtorKind}'`);
  return clauses.join(' AND ');
}

/**
 * The Cases of these ids, in their order, each read by `_id` (record and saved view, in parallel).
 * An id without a record is an intake undone after its workflow started, or after its debtor was
 * linked: not a case, left out.
 */
export async function readCases(
  stores: { records: CaseRecordModel; views: CaseViewModel },
  caseIds: readonly string[],
): Promise<CaseResource[]> {
  const read = await Promise.all(
    caseIds.map((caseId) =>
      Promise.all([stores.records.findOne({ _id: caseId }).lean<CaseRecord>(), storedView(stores.views, caseId)]),
    ),
  );
  return read.flatMap(([record, view]) => (record ? [caseResource(record, view ?? openedView(record))] : []));
}

export function createCaseService(dependencies: CaseServiceDependencies) {
  const { records, views, pending, database, callTasks, client, temporalTimeoutMs } = dependencies;

  const withinDeadline = <T>(call: () => Promise<T>): Promise<T> =>
    client.withDeadline(Date.now() + temporalTimeoutMs, call);

  async function findRecord(caseId: string): Promise<CaseRecord> {
    const record = await records.findOne({ _id: caseId }).lean<CaseRecord>();
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
      // The view is not stored from here: the workflow's own save is its only writer (lists read
      // visibility, which the same workflow task updated).
      const view = await withinDeadline(() => handle.executeUpdate(update, { args: [input, actor] }));
      return caseResource(record, view);
    } catch (error) {
      const refused = refusedUpdate(error);
      if (refused) throw refused;
      if (error instanceof WorkflowNotFoundError) {
        // Intake has not started the workflow yet, or it has ended (its stored view says how).
        if (await pending.exists({ _id: caseId })) throw unavailable('Temporal');
        const last = await storedView(views, caseId);
        throw new ApiError('invalid_transition', `the case is ${last?.status ?? 'closed'}: it accepts no more actions`);
      }
      if (isTemporalUnreachable(error)) throw unavailable('Temporal');
      throw error;
    }
  }

  /**
   * The case as its workflow last saved it (`saved`), or, before that first save (about a second
   * after intake), the view intake answered (`opened`). The workflow saves its view in the workflow
   * task of each change, before it answers the action that made it (workflows/collection-case.ts,
   * PUBLISH_BEFORE_EFFECTS_PATCH), so the saved view is what a query would answer: the case as of
   * its last workflow task. Why not the query: at 10,000 open cases most workflows are not in the
   * worker's cache, and a query replays the whole history of one (issue 14: reads timed out at
   * 5 s); this is two look-ups by `_id`, and answers the same with no worker or no Temporal.
   */
  async function getCase(caseId: string): Promise<CaseRead> {
    const [record, saved] = await Promise.all([findRecord(caseId), storedView(views, caseId)]);
    if (saved) return { resource: caseResource(record, saved), source: 'saved' };
    return { resource: caseResource(record, openedView(record)), source: 'opened' };
  }

  /**
   * The answer to `POST /cases`, without asking the workflow: a case just opened is the workflow's
   * first view, computed from the record by the same rules (api/intake.ts, domain/case/opening.ts),
   * and `GET /cases` shows that same view until the workflow saves its own. The same request again
   * (200) answers the case as last stored, which may have moved on since.
   */
  async function answerOpened(record: CaseRecord, created = true): Promise<CaseResource> {
    const stored = created ? null : await storedView(views, record.caseId).catch(() => null);
    return caseResource(record, stored ?? openedView(record));
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
        closeCallTask(database, {
          taskId: outcome.taskId,
          caseId,
          outcome: outcome.outcome,
          agentId: outcome.agentId,
          closedAt: new Date(),
        }),
      );
    }
    for (const task of answered.openCallTasks) {
      writes.push(
        createCallTask(database, {
          taskId: task.id,
          caseId,
          reason: task.reason,
          dueAt: new Date(task.dueAt),
          balanceCents: answered.amounts.balanceCents,
        }),
      );
    }
    // Best effort, as for the projection: the action is applied, and the workflow's writes follow.
    await Promise.all(writes.map((write) => write.catch(() => undefined)));
  }

  /**
   * From Temporal's visibility: the case workflows whose search attributes match the filters, in
   * visibility's order (running cases newest first, then closed ones, most recently closed first:
   * SQL visibility has no ORDER BY), the cursor being its page token. Each listed case is then read
   * by `_id`, record and view in parallel. The workflow upserts its search attributes in the
   * workflow task that changes it, so a list agrees with an action's answer once the server's
   * visibility has caught up (a few milliseconds on the dev server).
   */
  async function listCases(query: z.output<typeof listCasesQuery>) {
    // Intake accepts no other creditor id: such a filter matches no case, and has no place in a query.
    if (query.creditorId !== undefined && !CREDITOR_ID.test(query.creditorId)) return { items: [], nextCursor: null };
    const listQuery = visibilityQuery(query);
    const nextPageToken = query.cursor === undefined ? undefined : decodePageToken(query.cursor, listQuery);
    let listed;
    try {
      listed = await withinDeadline(() =>
        client.workflowService.listWorkflowExecutions({
          namespace: client.options.namespace,
          pageSize: query.limit,
          query: listQuery,
          ...(nextPageToken ? { nextPageToken } : {}),
        }),
      );
    } catch (error) {
      // A token of ours that visibility no longer accepts (or one that only looks like ours).
      if (nextPageToken && isGrpcServiceError(error) && error.code === GRPC_INVALID_ARGUMENT) throw invalidCursor();
      if (isTemporalUnreachable(error)) throw unavailable('Temporal');
      throw error;
    }
    const caseIds = (listed.executions ?? [])
      .map((execution) => execution.execution?.workflowId ?? '')
      .filter((workflowId) => workflowId.startsWith(CASE_WORKFLOW_ID_PREFIX))
      .map((workflowId) => workflowId.slice(CASE_WORKFLOW_ID_PREFIX.length));
    const items = await readCases({ records, views }, caseIds);
    const token = listed.nextPageToken;
    return { items, nextCursor: token && token.length > 0 ? encodePageToken(token, listQuery) : null };
  }

  /** The whole evidence trail, oldest first: nothing is paged away. */
  async function getJournal(caseId: string) {
    await findRecord(caseId);
    const entries = await journalOf(database, caseId);
    return { entries: entries.map(journalEntryResource) };
  }

  /** The files kept as evidence, oldest first, without their bytes. */
  async function listDocuments(caseId: string) {
    await findRecord(caseId);
    const listed = await documentsOf(database, caseId);
    return { items: listed.map(documentListing) };
  }

  /** One file exactly as kept (the bytes the journal's SHA-256 names). */
  async function getDocument(caseId: string, documentId: string) {
    const found = await findDocument(database, caseId, documentId);
    if (!found) throw new ApiError('not_found', `no document ${documentId} in case ${caseId}`);
    return { contentType: found.contentType, filename: found.filename, content: documentBytes(found.content) };
  }

  /** The agents' queue: only the open tasks, kept apart from the history (models/call-task.ts). */
  async function openQueue(query: z.output<typeof listCallTasksQuery>) {
    const position = query.cursor ? decodeCursor(query.cursor) : undefined;
    const open = await listOpenCallTasks(database, {
      limit: query.limit + 1,
      ...(position ? { after: { dueAt: position.at, taskId: String(position.id) } } : {}),
    });
    const { items, nextCursor } = page(open, query.limit, (task) => task.dueAt);
    // A queued task is open by definition; the queue keeps only what the list shows.
    const tasks: CallTaskRecord[] = items.map((task) => ({ ...task, taskId: task._id, status: 'open' }));
    return { items: tasks, nextCursor };
  }

  /**
   * Closed tasks, or one agent's: a manager's look back, not the agents' hot path. A scan of every
   * task ever created, which FerretDB over SQLite cannot serve from an index (README, "Performance").
   */
  async function taskHistory(query: z.output<typeof listCallTasksQuery>) {
    const filter: Record<string, unknown> = { status: query.status };
    if (query.agentId) filter.agentId = query.agentId;
    if (query.cursor) Object.assign(filter, afterCursor('dueAt', decodeCursor(query.cursor), 1));
    const found = await callTasks
      .find(filter)
      .sort({ dueAt: 1, _id: 1 })
      .limit(query.limit + 1)
      .lean<(CallTaskRecord & { _id: string })[]>();
    return page(found, query.limit, (task) => task.dueAt);
  }

  /** By due time, soonest first: the agents' queue. */
  async function listCallTasks(query: z.output<typeof listCallTasksQuery>) {
    const { items, nextCursor } =
      query.status === 'open' && !query.agentId ? await openQueue(query) : await taskHistory(query);
    // One `_id` read per case: `$in` is not pushed down by FerretDB over SQLite.
    const caseIds = [...new Set(items.map((task) => task.caseId))];
    const named = await Promise.all(
      caseIds.map((caseId) =>
        records.findOne({ _id: caseId }, { 'debtor.name': 1, 'debtor.phone': 1 }).lean<Pick<CaseRecord, 'debtor'>>(),
      ),
    );
    const debtors = new Map(caseIds.map((caseId, index) => [caseId, named[index]?.debtor] as const));
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
