/**
 * Issue 13, defect 11: legal interest from the mise en demeure (Code civil 1231-6) for a consumer
 * claim, at the rate the store holds when the amounts are computed, across virtual time on the
 * time-skipping server; and a half-year without a published rate claims nothing for its days and
 * says so in the journal, once.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { HandOffInput } from '../../activities/contracts';
import { addDays } from '../../domain/dates';
import type { RateTable } from '../../domain/late-charges';
import { recordHistory } from '../helpers/histories';
import { anchorAfter, journalTypes, runCaseOn, setUpCaseWorkflowFile, type ActivityCall } from './case-harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
setUpCaseWorkflowFile((started, bundled) => ([env, bundle] = [started, bundled]));

const TEST_RATE_PERCENT = 3.65;

/**
 * A fixture, not a published value: one legal rate per half-year from `fromYear` through
 * `throughYear`, so that the test does not depend on the year the virtual clock is in.
 */
function tableWithLegalRates(fromYear: number, throughYear: number): RateTable {
  const points = [];
  for (let year = fromYear; year <= throughYear; year += 1) {
    points.push(
      { from: `${year}-01-01`, percent: TEST_RATE_PERCENT },
      { from: `${year}-07-01`, percent: TEST_RATE_PERCENT },
    );
  }
  return {
    ecbMainRefinancingRate: [{ from: '2025-06-11', percent: 2.15 }],
    legalInterestRateProfessional: points,
  };
}

/** The harness's invoice (1 850 €, due three days before the case opens), owed by a consumer. */
const consumerClaim = { debtorKind: 'consumer' as const, policyId: 'consumer' };

function parisDay(instant: string): string {
  return DateTime.fromISO(instant, { zone: 'Europe/Paris' }).toISODate()!;
}

function formalNoticeAndHandoff(calls: ActivityCall[]) {
  const notice = calls.find((call) => call.name === 'sendMessage' && call.input.stage === 'formal_notice');
  const handoff = calls.find((call) => call.name === 'handOffCase');
  expect(notice).toBeDefined();
  expect(handoff).toBeDefined();
  return { notice: notice!, handoff: handoff!.input as unknown as HandOffInput };
}

test('a consumer owes legal interest from the day after the presumed receipt of the mise en demeure, at the stored rate', async () => {
  const anchorYear = anchorAfter(DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/Paris' }).year).year;
  await runCaseOn(
    env,
    bundle,
    'c_interest_1231_6',
    async ({ handle, calls }) => {
      await handle.result();
      await recordHistory(handle, 'collection-case', 'formal-notice-interest-rates-from-store');
      const { notice, handoff } = formalNoticeAndHandoff(calls);
      // Posted, then 3 days assumed for delivery (the consumer policy); interest from the next day.
      const firstDay = addDays(parisDay(notice.at), 3 + 1);
      const lastDay = parisDay(handoff.at);
      const days = DateTime.fromISO(lastDay).diff(DateTime.fromISO(firstDay), 'days').days + 1;
      const segments = handoff.statement!.rateSegments!.flatMap((invoice) => invoice.segments);
      expect(segments[0]).toMatchObject({ from: firstDay, ratePercent: TEST_RATE_PERCENT, principalCents: 185_000 });
      expect(segments[segments.length - 1]!.to).toBe(lastDay);
      // 1 850 € × 3.65 % = 67.525 € a year: 0.185 € a day.
      expect(handoff.statement!.totals.interestCents).toBe(Math.round(18.5 * days));
      expect(days).toBeGreaterThan(7);
      expect(handoff.statement!.totals.indemnityCents).toBe(0);
      expect(handoff.statement!).toMatchObject({ interestBasis: 'legal_interest', legalInterestFrom: firstDay });
      expect(journalTypes(calls)).not.toContain('interest_not_claimed');
    },
    {
      input: consumerClaim,
      adapt: (activities) => {
        activities.currentRates = async () => tableWithLegalRates(anchorYear - 1, anchorYear + 1);
      },
    },
  );
});

test('a half-year without a published legal rate claims no interest and is journaled once', async () => {
  const anchorYear = anchorAfter(DateTime.fromMillis(await env.currentTimeMs(), { zone: 'Europe/Paris' }).year).year;
  await runCaseOn(
    env,
    bundle,
    'c_interest_unpublished',
    async ({ handle, calls }) => {
      await handle.result();
      const { handoff } = formalNoticeAndHandoff(calls);
      expect(handoff.statement!.totals.interestCents).toBe(0);
      expect(journalTypes(calls).filter((type) => type === 'interest_not_claimed')).toHaveLength(1);
      const note = calls
        .filter((call) => call.name === 'recordJournal')
        .flatMap((call) => call.input.entries as { type: string; summary: string }[])
        .find((entry) => entry.type === 'interest_not_claimed');
      expect(note!.summary).toMatch(/non réclamés .* n’est pas publié dans la table des taux/);
    },
    {
      input: consumerClaim,
      // Only the years before the case: the arrêté of its half-year is "not yet published".
      adapt: (activities) => {
        activities.currentRates = async () => tableWithLegalRates(anchorYear - 2, anchorYear - 1);
      },
    },
  );
});
