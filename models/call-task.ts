import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const CALL_TASK_STATUSES = ['open', 'done'] as const;

/**
 * A phone call for the agents' queue. The debtor's name and phone number are not copied here: the
 * API reads them from the case record when it lists tasks, so personal data stays in one place.
 */
export const callTaskSchema = new Schema(
  {
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

callTaskSchema.index({ taskId: 1 }, { unique: true });
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
