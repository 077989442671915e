/**
 * The rate table over HTTP (issue 13, defect 11): GET /rates and POST /rates are the manager's,
 * bad input is a 4xx naming the field, every change is audited with the key's fingerprint, a value
 * entered takes effect for the next computation, and a half-year without its legal rate raises one
 * manager alert (whatever the number of start-ups) and a loud warning at each.
 */
import { checkRateCoverage, RATES_MISSING } from '../../models/rate-store';
import { rateChangeModel, ratePointModel } from '../../models/rate-table';
import { journalEntryModel } from '../../models/journal-entry';
import { DateTime } from 'luxon';
import { advanceUntil, openCase, setUpApiFile } from './api-harness';

const context = setUpApiFile('rates');

/** A half-year the shipped table does not cover (its arrêté is not in config/rates.json). */
const UNCOVERED_DAY = '2026-09-15';
const ARRETE = 'Arrêté du 2 juin 2026 (test fixture), JORF';

beforeAll(async () => {
  await Promise.all([
    ratePointModel(context.database).createIndexes(),
    journalEntryModel(context.database).createIndexes(),
  ]);
});

function capturingLogger() {
  const warnings: { details: object; message: string }[] = [];
  return { warnings, warn: (details: object, message: string) => warnings.push({ details, message }) };
}

describe('GET /rates', () => {
  it('shows every value with its source and origin, to managers only', async () => {
    const answer = await context.request('GET', '/rates');
    expect(answer.status).toBe(200);
    const legal = answer.body.legalInterestRateProfessional as { from: string; percent: number; source: string }[];
    expect(legal).toContainEqual({
      from: '2026-01-01',
      percent: 2.62,
      source: expect.stringContaining('15 décembre 2025'),
      origin: 'shipped',
    });
    expect(answer.body.ecbMainRefinancingRate.length).toBeGreaterThan(10);
    expect(Array.isArray(answer.body.missing)).toBe(true);

    expect((await context.request('GET', '/rates', { as: 'agent' })).status).toBe(403);
    expect((await context.request('GET', '/rates', { as: 'operations' })).status).toBe(403);
    expect((await context.request('GET', '/rates', { as: 'nobody' })).status).toBe(401);
  });
});

test('the OpenAPI description has both routes, with the body schema', async () => {
  const document = (await context.request('GET', '/openapi.json', { as: 'nobody' })).body;
  expect(document.paths['/rates'].get).toBeDefined();
  const post = document.paths['/rates'].post;
  expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '422']));
  expect(JSON.stringify(post.requestBody)).toContain('RatePointInput');
});

describe('POST /rates', () => {
  const valid = { series: 'legalInterestRateProfessional', from: '2026-07-01', percent: 2.5, source: ARRETE };

  it.each([
    [{ ...valid, series: 'libor' }, 'body.series'],
    [{ ...valid, percent: '2,5' }, 'body.percent'],
    [{ ...valid, percent: -1 }, 'body.percent'],
    [{ ...valid, percent: 2.123456 }, 'body.percent'],
    [{ ...valid, source: '   ' }, 'body.source'],
    [{ series: valid.series, from: valid.from, percent: valid.percent }, 'body.source'],
    [{ ...valid, from: '2026-02-30' }, 'body.from'],
    [{ ...valid, extra: true }, 'body.extra'],
  ])('refuses %j with 400 naming %s', async (body, path) => {
    const answer = await context.request('POST', '/rates', { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_failed');
    expect(answer.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
  });

  it('refuses a legal rate that does not start a half-year with 422 on body.from', async () => {
    const answer = await context.request('POST', '/rates', { body: { ...valid, from: '2026-08-01' } });
    expect(answer.status).toBe(422);
    expect(answer.body.error.details).toEqual([{ path: 'body.from', reason: expect.stringContaining('1 July') }]);
  });

  it('is the manager’s only', async () => {
    expect((await context.request('POST', '/rates', { as: 'operations', body: valid })).status).toBe(403);
    expect((await context.request('POST', '/rates', { as: 'agent', body: valid })).status).toBe(403);
    expect((await context.request('POST', '/rates', { as: 'nobody', body: valid })).status).toBe(401);
    expect(await ratePointModel(context.database).countDocuments()).toBe(0);
  });
});

describe('a half-year without its legal rate', () => {
  it('raises exactly one manager alert over several start-ups, warns loudly at each, and a value entered ends it', async () => {
    const at = new Date(`${UNCOVERED_DAY}T08:00:00Z`);
    const first = capturingLogger();
    const second = capturingLogger();
    // The worker and the API both check at start-up, and either may restart.
    const missing = await checkRateCoverage(context.database, UNCOVERED_DAY, at, first);
    await checkRateCoverage(context.database, UNCOVERED_DAY, at, second);

    expect(missing).toEqual([{ series: 'legalInterestRateProfessional', halfYear: '2026-07-01' }]);
    for (const logger of [first, second]) {
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]!.message).toMatch(/^RATE TABLE INCOMPLETE: .*2d semestre 2026/);
    }
    const alerts = await context.request('GET', `/alerts?kind=${RATES_MISSING}`);
    expect(alerts.status).toBe(200);
    expect(alerts.body.items).toHaveLength(1);
    expect(alerts.body.items[0]).toMatchObject({
      kind: RATES_MISSING,
      status: 'open',
      caseId: 'system',
      message: expect.stringContaining('aucun intérêt n’est réclamé'),
    });

    // The manager enters the arrêté's value: the next check finds nothing missing.
    const entered = await context.request('POST', '/rates', {
      body: { series: 'legalInterestRateProfessional', from: '2026-07-01', percent: 2.5, source: ARRETE },
    });
    expect(entered.status).toBe(200);
    expect(entered.body).toEqual({
      series: 'legalInterestRateProfessional',
      from: '2026-07-01',
      percent: 2.5,
      source: ARRETE,
    });
    const third = capturingLogger();
    expect(await checkRateCoverage(context.database, UNCOVERED_DAY, at, third)).toEqual([]);
    expect(third.warnings).toEqual([]);
    const listed = await context.request('GET', '/rates');
    expect(listed.body.legalInterestRateProfessional).toContainEqual({
      from: '2026-07-01',
      percent: 2.5,
      source: ARRETE,
      origin: 'operator',
    });

    // A system alert is acknowledged like any other, with no case to tell.
    const acknowledged = await context.request('POST', `/alerts/${alerts.body.items[0].id}/acknowledge`, {
      body: { resolution: 'noted' },
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.status).toBe('acknowledged');
  });

  it('keeps every change in the audit trail with the manager’s key fingerprint and the value replaced', async () => {
    const corrected = await context.request('POST', '/rates', {
      body: {
        series: 'legalInterestRateProfessional',
        from: '2026-07-01',
        percent: 2.51,
        source: `${ARRETE}, rectificatif`,
      },
    });
    expect(corrected.status).toBe(200);
    expect(corrected.body.previous).toEqual({ percent: 2.5, source: ARRETE });
    const changes = await rateChangeModel(context.database).find({ from: '2026-07-01' }).sort({ at: 1, _id: 1 }).lean();
    expect(changes.map((change) => change.percent)).toEqual([2.5, 2.51]);
    for (const change of changes)
      expect(change.actor).toEqual({ role: 'manager', id: expect.stringMatching(/^key:[0-9a-f]{12}$/) });
    const journal = await journalEntryModel(context.database).find({ caseId: 'system', type: 'rate_changed' }).lean();
    expect(journal).toHaveLength(2);
    expect(journal[1]!.summary).toContain('2,51 % à compter du 2026-07-01 (au lieu de 2,5 %)');
  });
});

describe('a value entered takes effect for the next computation of a case', () => {
  it('a consumer case computes legal interest after its mise en demeure at the rate a manager entered', async () => {
    const today = await context.now();
    const halfYear = (day: DateTime) => `${day.year}-${day.month < 7 ? '01' : '07'}-01`;
    // The shipped table has no value for these half-years: any interest below comes from these entries.
    for (const from of new Set([
      halfYear(today),
      halfYear(today.plus({ months: 6 })),
      halfYear(today.plus({ months: 3 })),
    ])) {
      const entered = await context.request('POST', '/rates', {
        body: {
          series: 'legalInterestRateProfessional',
          from,
          percent: 3.65,
          source: 'test fixture, not a published value',
        },
      });
      expect(entered.status).toBe(200);
    }
    const opened = await openCase(context, {
      debtor: {
        kind: 'consumer',
        name: 'Jeanne Martin',
        email: 'jeanne@example.fr',
        address: '5 avenue Foch, 69006 Lyon',
      },
      policy: 'consumer',
    });
    const read = () => context.request('GET', `/cases/${opened.id}`, { as: 'agent' });
    await advanceUntil(context, opened.id, async () => (await read()).body.status === 'handed_off', {
      maxWakes: 25,
      timeoutMs: 120_000,
    });
    const journal = await context.request('GET', `/cases/${opened.id}/journal`, { as: 'agent' });
    const entries = journal.body.entries as { type: string; stage?: string; at: string; status?: string }[];
    const notice = entries.find(
      (entry) => entry.stage === 'formal_notice' && ['sent', 'simulated'].includes(entry.status ?? ''),
    );
    const handoff = entries.find((entry) => entry.type === 'handoff');
    expect(notice).toBeDefined();
    expect(handoff).toBeDefined();
    const parisDay = (at: string) => DateTime.fromISO(at, { zone: 'Europe/Paris' }).startOf('day');
    // Presumed receipt 3 days after posting; interest from the next day through the handoff.
    const days = parisDay(handoff!.at).diff(parisDay(notice!.at).plus({ days: 4 }), 'days').days + 1;
    expect(days).toBeGreaterThan(7);
    const { amounts } = (await read()).body;
    // 1 850 € × 3.65 % / 365 = 0.185 € a day (a half-year boundary may round one cent apart).
    expect(Math.abs(amounts.lateChargesCents - Math.round(18.5 * days))).toBeLessThanOrEqual(1);
    expect(entries.map((entry) => entry.type)).not.toContain('interest_not_claimed');
  });
});
