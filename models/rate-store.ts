/**
 * The rate table in force: the values shipped in config/rates.json plus those managers entered
 * (`POST /rates`), validated together. And the check that the current half-year has its values,
 * which the worker and the API run at start-up: a loud warning, and one manager alert per missing
 * value (never one per case).
 */
import type { Connection } from 'mongoose';
import { parisDateOf } from '../domain/dates';
import { DEFAULT_RATE_TABLE, parseRateTable, type RatePoint, type RateTable } from '../domain/late-charges';
import { missingRates, type MissingRate } from '../domain/legal-interest';
import type { CalendarDate } from '../domain/types';
import { alertIdOf, alertModel } from './alert';
import { isDuplicateKey } from './connection';
import { journalEntryModel } from './journal-entry';
import { RATE_SERIES, ratePointModel, type RateSeries } from './rate-table';

/** Alerts that are about no case: they name this instead, and acknowledging one tells no workflow. */
export const SYSTEM_CASE_ID = 'system';
export const RATES_MISSING = 'rates_missing';

export type RateOrigin = 'shipped' | 'operator';
export type SourcedRatePoint = RatePoint & { origin: RateOrigin };
export type SourcedRateTable = Record<RateSeries, SourcedRatePoint[]>;

/** Shipped values, then stored ones: a stored value replaces the shipped one of the same date. */
export async function loadSourcedRateTable(database: Connection): Promise<SourcedRateTable> {
  const stored = await ratePointModel(database).find().sort({ series: 1, from: 1 }).lean();
  const table = {} as SourcedRateTable;
  for (const series of RATE_SERIES) {
    const byDate = new Map<string, SourcedRatePoint>();
    for (const point of DEFAULT_RATE_TABLE[series] ?? []) byDate.set(point.from, { ...point, origin: 'shipped' });
    for (const point of stored.filter((candidate) => candidate.series === series)) {
      byDate.set(point.from, { from: point.from, percent: point.percent, source: point.source, origin: 'operator' });
    }
    table[series] = [...byDate.values()].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  }
  return table;
}

export async function loadRateTable(database: Connection): Promise<RateTable> {
  const sourced = await loadSourcedRateTable(database);
  const plain = (points: SourcedRatePoint[]) => points.map(({ origin: _origin, ...point }) => point);
  return parseRateTable({
    ecbMainRefinancingRate: plain(sourced.ecbMainRefinancingRate),
    legalInterestRateProfessional: plain(sourced.legalInterestRateProfessional),
    legalInterestRatePrivateCreditor: plain(sourced.legalInterestRatePrivateCreditor),
  });
}

const SERIES_LABELS: Record<MissingRate['series'], string> = {
  legalInterestRateProfessional: 'taux de l’intérêt légal (autres cas)',
  legalInterestRatePrivateCreditor: 'taux de l’intérêt légal (créanciers particuliers)',
  ecbMainRefinancingRate: 'taux de refinancement de la BCE',
};

function halfYearLabel(halfYear: CalendarDate): string {
  return `${halfYear.endsWith('-01-01') ? '1er' : '2d'} semestre ${halfYear.slice(0, 4)}`;
}

export function missingRateMessage(missing: MissingRate): string {
  return (
    `Aucun ${SERIES_LABELS[missing.series]} n’est renseigné pour le ${halfYearLabel(missing.halfYear)} : ` +
    'aucun intérêt n’est réclamé pour ces jours tant que la valeur publiée n’est pas saisie (POST /rates).'
  );
}

interface Warner {
  warn: (details: object, message: string) => void;
}

/**
 * Warns and raises one alert per missing value of the half-year holding `today` (its key names the
 * series and the half-year, so a restart or the other process raises nothing twice). Returns what
 * is missing.
 */
export async function checkRateCoverage(
  database: Connection,
  today: CalendarDate,
  at: Date,
  logger: Warner,
): Promise<MissingRate[]> {
  const missing = missingRates(await loadRateTable(database), today);
  for (const gap of missing) {
    const message = missingRateMessage(gap);
    logger.warn({ series: gap.series, halfYear: gap.halfYear }, `RATE TABLE INCOMPLETE: ${message}`);
    const idempotencyKey = `${RATES_MISSING}:${gap.series}:${gap.halfYear}`;
    // The journal first, then the alert, each idempotent: a crash in between leaves nothing unsaid.
    await ignoringDuplicate(() =>
      journalEntryModel(database).create({
        caseId: SYSTEM_CASE_ID,
        idempotencyKey,
        at,
        type: 'manager_alert',
        channel: 'system',
        summary: `Alerte gestionnaire : ${message}`,
        actor: { role: 'system' },
      }),
    );
    await ignoringDuplicate(() =>
      alertModel(database).create({
        alertId: alertIdOf(idempotencyKey),
        idempotencyKey,
        caseId: SYSTEM_CASE_ID,
        creditorId: SYSTEM_CASE_ID,
        kind: RATES_MISSING,
        message,
        raisedAt: at,
        status: 'open',
      }),
    );
  }
  return missing;
}

async function ignoringDuplicate(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

/** Often enough that a half-year starting while the process runs is noticed the same day. */
const RATE_COVERAGE_CHECK_MS = 6 * 60 * 60 * 1000;
const RATE_COVERAGE_RETRY_MS = 30_000;

/**
 * The start-up check, then one every few hours; a check that cannot reach the database is retried
 * soon. Returns the function that stops it.
 */
export function watchRateCoverage(
  database: Connection,
  logger: Warner,
  now: () => Date = () => new Date(),
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = async () => {
    let delay = RATE_COVERAGE_CHECK_MS;
    try {
      const at = now();
      await checkRateCoverage(database, parisDateOf(at), at, logger);
    } catch (error) {
      logger.warn({ errName: (error as Error)?.name }, 'rate table check failed; retrying');
      delay = RATE_COVERAGE_RETRY_MS;
    }
    if (!stopped) {
      timer = setTimeout(() => void run(), delay);
      timer.unref();
    }
  };
  void run();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
