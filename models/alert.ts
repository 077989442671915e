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
    /** The alert id: found and acknowledged by `_id`, the only filter FerretDB over SQLite does not scan for. */
    _id: { type: String },
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

// Alerts written without an `_id` (the rate store, tests) are keyed as every other one.
alertSchema.pre('validate', function keyedByAlertId() {
  if (this._id === undefined || this._id === null) this._id = this.alertId;
});

// Unique by `_id` (= the key): a second unique index would refuse the start-up migration's copy.
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

/**
 * An acknowledgement, decided once: the manager whose request inserts this lock (`_id` = alert id)
 * is the only one who writes the acknowledged alert; a second one is told it is acknowledged.
 * (FerretDB's update reads, then rewrites: two concurrent conditional updates would both pass.)
 */
export const alertAcknowledgementSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'alert_acknowledgements', versionKey: false, strict: 'throw' },
);

const compileAcks = (connection: Connection) => connection.model('AlertAcknowledgement', alertAcknowledgementSchema);
export type AlertAcknowledgementModel = ReturnType<typeof compileAcks>;

export function alertAcknowledgementModel(connection: Connection): AlertAcknowledgementModel {
  return (connection.models.AlertAcknowledgement as AlertAcknowledgementModel | undefined) ?? compileAcks(connection);
}
