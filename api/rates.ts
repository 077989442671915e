/**
 * The rate table as managers maintain it (not in docs/api.md): `GET /rates` shows every value with
 * its source and what the current half-year lacks; `POST /rates` enters a value when its arrêté
 * or ECB decision is published. Each change is kept in `rate_changes` with the manager's key
 * fingerprint and journaled under the `system` journal; the next computation of a case's amounts
 * reads it (the worker loads the table when it computes a message).
 */
import type { Connection } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../domain/case/actions';
import { parisDateOf } from '../domain/dates';
import { parseRateTable } from '../domain/late-charges';
import { halfYearOf, missingRates } from '../domain/legal-interest';
import { isDuplicateKey } from '../models/connection';
import { journalEntryModel } from '../models/journal-entry';
import {
  loadRateTable,
  loadSourcedRateTable,
  missingRateMessage,
  SYSTEM_CASE_ID,
  type SourcedRatePoint,
} from '../models/rate-store';
import { RATE_SERIES, rateChangeModel, ratePointModel } from '../models/rate-table';
import { ApiError } from './errors';
import { calendarDate } from './schemas';

const percent = z
  .number()
  .min(0)
  .max(100)
  .refine((value) => Math.abs(value * 10_000 - Math.round(value * 10_000)) < 1e-6, 'must have at most 4 decimals')
  .meta({ example: 2.62 });

export const ratePointBody = z
  .strictObject({
    series: z.enum(RATE_SERIES).meta({
      description:
        "ecbMainRefinancingRate (L441-10), legalInterestRateProfessional (taux de l'intérêt légal, autres cas) or " +
        'legalInterestRatePrivateCreditor (créances des personnes physiques n’agissant pas pour des besoins professionnels).',
    }),
    from: calendarDate.meta({
      description:
        'The day the value applies from: 1 January or 1 July for a legal rate; the effective date for the ECB.',
    }),
    percent,
    source: z
      .string()
      .trim()
      .min(1, 'must name where the value was published')
      .max(500)
      .meta({ example: 'Arrêté du 15 décembre 2025, JORF n°0302 du 26 décembre 2025' }),
  })
  .meta({ id: 'RatePointInput' });

const sourcedPoint = z.object({
  from: calendarDate,
  percent: z.number(),
  source: z.string().optional(),
  origin: z.enum(['shipped', 'operator']),
});

export const rateTableResource = z
  .object({
    asOf: calendarDate,
    ecbMainRefinancingRate: z.array(sourcedPoint),
    legalInterestRateProfessional: z.array(sourcedPoint),
    legalInterestRatePrivateCreditor: z.array(sourcedPoint),
    missing: z
      .array(z.object({ series: z.enum(RATE_SERIES), halfYear: calendarDate, message: z.string() }))
      .meta({ description: 'What the half-year holding asOf lacks: no interest is claimed for those days.' }),
  })
  .meta({ id: 'RateTable' });

export const rateChangeResource = z
  .object({
    series: z.enum(RATE_SERIES),
    from: calendarDate,
    percent: z.number(),
    source: z.string(),
    previous: z.object({ percent: z.number(), source: z.string().optional() }).optional(),
  })
  .meta({ id: 'RateChange' });

export function createRateService(database: Connection, now: () => Promise<Date>) {
  async function getRates(): Promise<z.output<typeof rateTableResource>> {
    const asOf = parisDateOf(await now());
    const sourced = await loadSourcedRateTable(database);
    const missing = missingRates(await loadRateTable(database), asOf);
    return { asOf, ...sourced, missing: missing.map((gap) => ({ ...gap, message: missingRateMessage(gap) })) };
  }

  async function setRate(
    body: z.output<typeof ratePointBody>,
    actor: Actor,
  ): Promise<z.output<typeof rateChangeResource>> {
    if (body.series !== 'ecbMainRefinancingRate' && halfYearOf(body.from) !== body.from) {
      const reason = 'must be 1 January or 1 July: the legal interest rate is fixed for each half-year';
      throw new ApiError('unprocessable', `body.from: ${reason}`, [{ path: 'body.from', reason }]);
    }
    const sourced = await loadSourcedRateTable(database);
    const previous: SourcedRatePoint | undefined = sourced[body.series].find((point) => point.from === body.from);
    // The whole table must still validate with the new value in it.
    const next = { ...sourced, [body.series]: [...sourced[body.series].filter((p) => p.from !== body.from), body] };
    for (const series of RATE_SERIES) next[series] = [...next[series]].sort((a, b) => (a.from < b.from ? -1 : 1));
    try {
      parseRateTable(next);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError('unprocessable', `body: ${reason}`, [{ path: 'body', reason }]);
    }

    const at = await now();
    await ratePointModel(database).findOneAndUpdate(
      { series: body.series, from: body.from },
      { $set: { percent: body.percent, source: body.source, setAt: at, setBy: actor } },
      { upsert: true },
    );
    const change = {
      series: body.series,
      from: body.from,
      percent: body.percent,
      source: body.source,
      ...(previous
        ? { previous: { percent: previous.percent, ...(previous.source ? { source: previous.source } : {}) } }
        : {}),
    };
    const { _id } = await rateChangeModel(database).create({ ...change, at, actor });
    try {
      await journalEntryModel(database).create({
        caseId: SYSTEM_CASE_ID,
        idempotencyKey: `rate_changed:${String(_id)}`,
        at,
        type: 'rate_changed',
        channel: 'api',
        summary:
          `Taux saisi par un gestionnaire : ${body.series} à ${String(body.percent).replace('.', ',')} % ` +
          `à compter du ${body.from}` +
          (previous ? ` (au lieu de ${String(previous.percent).replace('.', ',')} %)` : '') +
          ` ; source : ${body.source}`,
        actor,
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    return change;
  }

  return { getRates, setRate };
}

export type RateService = ReturnType<typeof createRateService>;
