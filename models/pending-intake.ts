import { Schema, type Connection } from 'mongoose';

/**
 * A case whose workflow intake has not yet seen start: inserted (`_id` = case id) before the case
 * record, deleted once the workflow runs. The intake sweep reads this small collection instead of
 * scanning every case record for an unset mark; it holds only intakes in flight or interrupted.
 */
export const pendingIntakeSchema = new Schema(
  {
    _id: { type: String, required: true },
    openedAt: { type: Date, required: true },
  },
  { collection: 'pending_intakes', versionKey: false, strict: 'throw' },
);

const compile = (connection: Connection) => connection.model('PendingIntake', pendingIntakeSchema);
export type PendingIntakeModel = ReturnType<typeof compile>;

export function pendingIntakeModel(connection: Connection): PendingIntakeModel {
  return (connection.models.PendingIntake as PendingIntakeModel | undefined) ?? compile(connection);
}
