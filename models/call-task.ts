import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { insertOnce } from './connection';

export const CALL_TASK_STATUSES = ['open', 'done'] as const;

/**
 * A phone call for the agents' queue. The debtor's name and phone number are not copied here: the
 * API reads them from the case record when it lists tasks, so personal data stays in one place.
 */
export const callTaskSchema = new Schema(
  {
    /** The task id: created and closed by `_id`, the only filter FerretDB over SQLite does not scan for. */
    _id: { type: String },
    taskId: { type: String, required: true },
    caseId: { type: String, required: true },
    reason: { type: String, required: true },
    dueAt: { type: Date, required: true },
    status: { type: String, enum: CALL_TASK_STATUSES, required: true, default: 'open' },
    balanceCents: {
      type: Number,
      required: true,
      validate: {
        validator: (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value),
        message: '{PATH} must be a whole number of cents',
      },
    },
    /** A call outcome (reached, no_answer…), or why the case closed the task (paid, cancelled…). */
    outcome: { type: String },
    agentId: { type: String },
    closedAt: { type: Date },
  },
  { collection: 'call_tasks', versionKey: false, strict: 'throw' },
);

// Tasks written without an `_id` (tests, older callers) are keyed as every other one.
callTaskSchema.pre('validate', function keyedByTaskId() {
  if (this._id === undefined || this._id === null) this._id = this.taskId;
});

// Unique by `_id` (= the key): a second unique index would refuse the start-up migration's copy.
// The agents' queue: open tasks by due time, with _id to break ties for cursor pagination.
callTaskSchema.index({ status: 1, dueAt: 1, _id: 1 });
callTaskSchema.index({ caseId: 1 });
// GET /call-tasks?agentId=…: the tasks an agent closed (or was given), in queue order.
callTaskSchema.index({ agentId: 1, status: 1, dueAt: 1, _id: 1 });

export type CallTaskRecord = InferSchemaType<typeof callTaskSchema>;

const compile = (connection: Connection) => connection.model('CallTask', callTaskSchema);
export type CallTaskModel = ReturnType<typeof compile>;

export function callTaskModel(connection: Connection): CallTaskModel {
  return (connection.models.CallTask as CallTaskModel | undefined) ?? compile(connection);
}

/**
 * The agents' queue: the open tasks only, one document per task (`_id` = task id), inserted when
 * the task is created and deleted when it is closed. `GET /call-tasks` reads this collection, whose
 * size is the queue's (FerretDB over SQLite reads a whole collection for any sort), not every task
 * ever created.
 */
export const openCallTaskSchema = new Schema(
  {
    _id: { type: String, required: true },
    caseId: { type: String, required: true },
    reason: { type: String, required: true },
    dueAt: { type: Date, required: true },
    balanceCents: { type: Number, required: true },
  },
  { collection: 'open_call_tasks', versionKey: false, strict: 'throw' },
);

/**
 * Closing a task, decided once: the first closer (the API answering a call outcome, or the case's
 * activity) inserts this lock (`_id` = task id) and is then the only writer of the closed task;
 * later closers change nothing, so a retry never moves the closing time.
 */
export const callTaskClosureSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'call_task_closures', versionKey: false, strict: 'throw' },
);

const compileOpen = (connection: Connection) => connection.model('OpenCallTask', openCallTaskSchema);
const compileClosures = (connection: Connection) => connection.model('CallTaskClosure', callTaskClosureSchema);
export type OpenCallTaskModel = ReturnType<typeof compileOpen>;
export type OpenCallTask = InferSchemaType<typeof openCallTaskSchema>;

export function openCallTaskModel(connection: Connection): OpenCallTaskModel {
  return (connection.models.OpenCallTask as OpenCallTaskModel | undefined) ?? compileOpen(connection);
}

function closureModel(connection: Connection) {
  return (
    (connection.models.CallTaskClosure as ReturnType<typeof compileClosures> | undefined) ?? compileClosures(connection)
  );
}

export interface NewCallTask {
  taskId: string;
  caseId: string;
  reason: string;
  dueAt: Date;
  balanceCents: number;
}

/**
 * Creates the task and queues it, once (a retry or the API's own write lands on the same `_id`).
 * A task closed before it was queued (the API's late write after the case closed it) stays out of
 * the queue: the closure is checked after queuing, and the closer deletes after its lock, so either
 * order ends with the task out of the queue.
 */
export async function createCallTask(connection: Connection, task: NewCallTask): Promise<void> {
  const closures = closureModel(connection);
  const queue = openCallTaskModel(connection);
  await insertOnce(() => callTaskModel(connection).create({ _id: task.taskId, ...task, status: 'open' }));
  if (await closures.exists({ _id: task.taskId })) return;
  await insertOnce(() =>
    queue.create({
      _id: task.taskId,
      caseId: task.caseId,
      reason: task.reason,
      dueAt: task.dueAt,
      balanceCents: task.balanceCents,
    }),
  );
  if (await closures.exists({ _id: task.taskId })) await queue.deleteOne({ _id: task.taskId });
}

/** True when this call closed it; false when it was closed already (or belongs to another case). */
export async function closeCallTask(
  connection: Connection,
  close: { taskId: string; caseId: string; outcome: string; closedAt: Date; agentId?: string },
): Promise<boolean> {
  const tasks = callTaskModel(connection);
  const task = await tasks.findOne({ _id: close.taskId }, { caseId: 1 }).lean();
  if (task && task.caseId !== close.caseId) return false;
  const closed = await insertOnce(() => closureModel(connection).create({ _id: close.taskId, at: close.closedAt }));
  if (closed && task) {
    await tasks.updateOne(
      { _id: close.taskId },
      {
        $set: {
          status: 'done',
          outcome: close.outcome,
          closedAt: close.closedAt,
          ...(close.agentId ? { agentId: close.agentId } : {}),
        },
      },
    );
  }
  await openCallTaskModel(connection).deleteOne({ _id: close.taskId });
  return closed;
}

/**
 * The queue, soonest due first (ties by task id), after the cursor position if any. A scan of
 * `open_call_tasks`, sorted in memory: that collection holds only the open tasks.
 */
export async function listOpenCallTasks(
  connection: Connection,
  { limit, after }: { limit: number; after?: { dueAt: Date; taskId: string } },
): Promise<OpenCallTask[]> {
  const open = await openCallTaskModel(connection).find({}).lean<OpenCallTask[]>();
  const ordered = open.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a._id.localeCompare(b._id));
  const from = after
    ? ordered.findIndex(
        (task) =>
          task.dueAt.getTime() > after.dueAt.getTime() ||
          (task.dueAt.getTime() === after.dueAt.getTime() && task._id > after.taskId),
      )
    : 0;
  return from === -1 ? [] : ordered.slice(from, from + limit);
}
