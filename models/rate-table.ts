import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { ACTOR_ROLES } from './journal-entry';

export const RATE_SERIES = [
  'ecbMainRefinancingRate',
  'legalInterestRateProfessional',
  'legalInterestRatePrivateCreditor',
] as const;
export type RateSeries = (typeof RATE_SERIES)[number];

const actorSchema = new Schema(
  { role: { type: String, enum: ACTOR_ROLES, required: true }, id: { type: String } },
  { _id: false, strict: 'throw' },
);

/**
 * A rate a manager entered (`POST /rates`): it adds to the values shipped in config/rates.json,
 * or replaces the shipped value of the same series and date. One document per (series, from).
 */
export const ratePointSchema = new Schema(
  {
    series: { type: String, enum: RATE_SERIES, required: true },
    from: { type: String, required: true },
    percent: { type: Number, required: true },
    source: { type: String, required: true },
    setAt: { type: Date, required: true },
    setBy: { type: actorSchema, required: true },
  },
  { collection: 'rate_points', versionKey: false, strict: 'throw' },
);
ratePointSchema.index({ series: 1, from: 1 }, { unique: true });

/** The audit trail of the rate table: every change, with who made it and the value it replaced. */
export const rateChangeSchema = new Schema(
  {
    series: { type: String, enum: RATE_SERIES, required: true },
    from: { type: String, required: true },
    percent: { type: Number, required: true },
    source: { type: String, required: true },
    previous: {
      type: new Schema({ percent: Number, source: String }, { _id: false, strict: 'throw' }),
    },
    at: { type: Date, required: true },
    actor: { type: actorSchema, required: true },
  },
  { collection: 'rate_changes', versionKey: false, strict: 'throw' },
);
rateChangeSchema.index({ at: -1 });

export type StoredRatePoint = InferSchemaType<typeof ratePointSchema>;

const compilePoints = (connection: Connection) => connection.model('RatePoint', ratePointSchema);
const compileChanges = (connection: Connection) => connection.model('RateChange', rateChangeSchema);
export type RatePointModel = ReturnType<typeof compilePoints>;
export type RateChangeModel = ReturnType<typeof compileChanges>;

export function ratePointModel(connection: Connection): RatePointModel {
  return (connection.models.RatePoint as RatePointModel | undefined) ?? compilePoints(connection);
}

export function rateChangeModel(connection: Connection): RateChangeModel {
  return (connection.models.RateChange as RateChangeModel | undefined) ?? compileChanges(connection);
}
