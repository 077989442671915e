import { createHash } from 'node:crypto';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { ALERT_RESOLUTIONS } from '../domain/case/alerts';
import { ACTOR_ROLES } from './journal-entry';

export const ALERT_STATUSES = ['open', 'acknowledged'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * The public id of an alert, derived from the key that raised it: a retried raise lands on the
 * same document, and the id is URL-safe and of fixed length whatever the key looks like.
 */
export function alertIdOf(idempotencyKey: string): string {
  return `al_${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 24)}`;
}

/**
 * What a manager must look at, one document per alert, written beside the journal entry that
 * records it. It holds ids, kinds and the system's own French words, never personal data; the
 * note a manager types when acknowledging is kept here and in the journal only.
 */
export const alertSchema = new Schema(
  {
    alertId: { type: String, required: true },
    /** The key the raising activity used; the workflow names the alert by it. */
    idempotencyKey: { type: String, required: true },
    caseId: { type: String, required: true },
    creditorId: { type: String, required: true },
    kind: { type: String, required: true },
    message: { type: String, required: true },
    raisedAt: { type: Date, required: true },
    status: { type: String, enum: ALERT_STATUSES, required: true },
    /** For a message whose outcome is unknown: which send it is about. */
    send: {
      type: new Schema(
        {
          idempotencyKey: { type: String, required: true },
          stage: { type: String, required: true },
          channel: { type: String, required: true },
        },
        { _id: false, strict: 'throw' },
      ),
    },
    acknowledgedAt: { type: Date },
    acknowledgedBy: {
      type: new Schema(
        { role: { type: String, enum: ACTOR_ROLES, required: true }, id: { type: String } },
        { _id: false, strict: 'throw' },
      ),
    },
    resolution: { type: String, enum: ALERT_RESOLUTIONS },
    note: { type: String },
  },
  { collection: 'alerts', versionKey: false, strict: 'throw' },
);

alertSchema.index({ alertId: 1 }, { unique: true });
alertSchema.index({ status: 1, raisedAt: -1, _id: -1 });
alertSchema.index({ creditorId: 1, raisedAt: -1, _id: -1 });
alertSchema.index({ kind: 1, raisedAt: -1, _id: -1 });
alertSchema.index({ caseId: 1 });

export type Alert = InferSchemaType<typeof alertSchema>;

const compile = (connection: Connection) => connection.model('Alert', alertSchema);
export type AlertModel = ReturnType<typeof compile>;

export function alertModel(connection: Connection): AlertModel {
  return (connection.models.Alert as AlertModel | undefined) ?? compile(connection);
}
