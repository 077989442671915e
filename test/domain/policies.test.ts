import fc from 'fast-check';
import { addDays, daysBetween } from '../../domain/dates';
import { DEBTOR_KINDS } from '../../domain/types';
import {
  DEFAULT_POLICY_ID,
  defaultPolicyIdFor,
  getPolicy,
  loadPolicies,
  planSchedule,
  PolicyError,
  POLICIES,
  SHIPPED_POLICIES,
  type Policy,
} from '../../domain/policies';

const standard = SHIPPED_POLICIES.find((policy) => policy.id === 'standard')!;

/** A deep copy of `standard` with one change, to show that exactly that change is refused. */
function standardWith(change: (policy: Policy) => void): Policy {
  const copy = structuredClone(standard);
  change(copy);
  return copy;
}

function problemsOf(policy: unknown): string[] {
  try {
    loadPolicies([policy]);
    return [];
  } catch (err) {
    if (err instanceof PolicyError) return err.problems;
    throw err;
  }
}

test('the shipped policies load: standard, the consumer default, a gentler one and a firmer one', () => {
  expect([...POLICIES.keys()]).toEqual(['standard', 'consumer', 'gentle', 'firm']);
});

describe('the default policy by debtor kind (issue 13, defect 8)', () => {
  test('a business debtor gets standard, a consumer gets consumer', () => {
    expect(defaultPolicyIdFor('business')).toBe('standard');
    expect(defaultPolicyIdFor('consumer')).toBe('consumer');
    expect(DEFAULT_POLICY_ID).toBe('standard');
    for (const kind of DEBTOR_KINDS) expect(getPolicy(defaultPolicyIdFor(kind)).suitedFor).toContain(kind);
  });

  test('the consumer default follows the seeds, at a gentler pace than standard and in a gentler tone', () => {
    const consumer = getPolicy('consumer');
    const step = (policy: Policy, stage: string) => policy.steps.find((candidate) => candidate.stage === stage)!;
    expect(consumer.steps.map((candidate) => candidate.stage)).toEqual([
      'reminder_1',
      'reminder_2',
      'final_reminder',
      'formal_notice',
      'handoff',
    ]);
    // Seeds: a courteous reminder in the first days, then a second one, a last one, the notice.
    expect(step(consumer, 'reminder_1').offsetDays).toBeLessThanOrEqual(7);
    expect(step(consumer, 'reminder_1').tone).toBe('courteous');
    expect(step(consumer, 'reminder_2').tone).toBe('courteous');
    for (const stage of ['reminder_1', 'reminder_2', 'final_reminder', 'formal_notice', 'handoff']) {
      expect(step(consumer, stage).offsetDays).toBeGreaterThan(step(standard, stage).offsetDays);
    }
    expect(consumer.minContactSpacingDays).toBeGreaterThan(standard.minContactSpacingDays);
    // Seeds: "une demande explicite de paiement sous un délai précis (généralement 8 à 15 jours)".
    expect(consumer.formalNotice.deadlineDays).toBe(15);
    // L441-10 penalties and the €40 indemnity never apply to a consumer (R3).
    expect(consumer.lateCharges).toBe('waive');
    expect(consumer.suitedFor).toEqual(['consumer']);
    expect(consumer.installmentPlan.maxInstallments).toBeGreaterThan(standard.installmentPlan.maxInstallments);
  });
});

test('standard follows the seed schedule for a business debtor (domain.md, default schedule)', () => {
  const offset = (stage: string) => standard.steps.find((step) => step.stage === stage)!.offsetDays;
  expect(offset('reminder_1')).toBeGreaterThanOrEqual(1);
  expect(offset('reminder_1')).toBeLessThanOrEqual(5);
  expect(offset('reminder_2')).toBeGreaterThanOrEqual(7);
  expect(offset('reminder_2')).toBeLessThanOrEqual(15);
  expect(offset('final_reminder')).toBeGreaterThan(offset('reminder_2'));
  expect(offset('formal_notice')).toBe(20);
  expect(standard.formalNotice.deadlineDays).toBe(8);
  expect(offset('handoff')).toBe(30);
  expect(standard.suitedFor).toEqual(['business']);
});

test('the gentle policy is slower than standard and waives late charges; the firm one is faster', () => {
  const gentle = getPolicy('gentle');
  const firm = getPolicy('firm');
  const noticeDay = (policy: Policy) => policy.steps.find((step) => step.stage === 'formal_notice')!.offsetDays;
  expect(noticeDay(gentle)).toBeGreaterThan(noticeDay(standard));
  expect(noticeDay(firm)).toBeLessThan(noticeDay(standard));
  expect(gentle.lateCharges).toBe('waive');
  expect(gentle.suitedFor).toContain('consumer');
  expect(gentle.installmentPlan.maxInstallments).toBeGreaterThan(standard.installmentPlan.maxInstallments);
});

test.each<[string, (policy: Policy) => void, RegExp]>([
  ['a first step that is not reminder_1', (p) => void (p.steps[0]!.stage = 'reminder_2'), /steps\.0\.stage/],
  ['a first reminder that is not courteous', (p) => void (p.steps[0]!.tone = 'firm'), /steps\.0\.tone/],
  ['steps out of escalation order', (p) => void (p.steps[1]!.stage = 'final_reminder'), /steps\.2\.stage/],
  ['an offset not after the previous step', (p) => void (p.steps[1]!.offsetDays = 3), /steps\.1\.offsetDays/],
  ['a tone growing softer', (p) => void (p.steps[2]!.tone = 'courteous'), /steps\.2\.tone/],
  ['a mise en demeure without a letter (R5)', (p) => void (p.steps[3]!.channels = ['email']), /steps\.3\.channels/],
  ['a mise en demeure that is not formal', (p) => void (p.steps[3]!.tone = 'firm'), /steps\.3\.tone/],
  ['a handoff that contacts the debtor', (p) => void (p.steps[4]!.channels = ['email']), /steps\.4\.channels/],
  ['a handoff before the notice deadline', (p) => void (p.steps[4]!.offsetDays = 25), /steps\.4\.offsetDays/],
  ['a step with no channel', (p) => void (p.steps[1]!.channels = []), /steps\.1\.channels/],
  ['a channel listed twice', (p) => void (p.steps[0]!.channels = ['email', 'email']), /steps\.0\.channels/],
  ['contacts closer than the spacing', (p) => void (p.minContactSpacingDays = 6), /steps\.\d\.offsetDays.*minContact/],
  [
    'a schedule over the 2-per-7-days cap (R4)',
    (p) => void (p.steps[1]!.channels = ['sms', 'email', 'call']),
    /automated contacts within 7 days/,
  ],
  ['no mise en demeure', (p) => void p.steps.splice(3, 1), /must end with formal_notice/],
  ['a negative offset', (p) => void (p.steps[0]!.offsetDays = -1), /steps\.0\.offsetDays/],
  ['an unknown channel', (p) => void (p.steps[0]!.channels = ['fax' as never]), /steps\.0\.channels/],
  ['an unknown field', (p) => Object.assign(p, { fees: 10 }), /fees/],
  ['a missing setting', (p) => void delete (p as Partial<Policy>).replyHoldDays, /replyHoldDays/],
  [
    'a default after more missed installments than a plan may have',
    (p) => void (p.installmentPlan.defaultAfterMissedInstallments = 7),
    /installmentPlan\.defaultAfterMissedInstallments/,
  ],
])('refused at load: %s', (_label, change, expected) => {
  const problems = problemsOf(standardWith(change));
  expect(problems.join('\n')).toMatch(expected);
  expect(problems.every((problem) => problem.startsWith('standard.'))).toBe(true);
});

test('every problem is reported at once, and two policies may not share an id', () => {
  expect(() => loadPolicies([standard, standard])).toThrow(/standard: two policies have this id/);
  const broken = standardWith((p) => {
    p.steps[0]!.tone = 'formal';
    p.replyHoldDays = 0;
  });
  expect(problemsOf(broken)).toHaveLength(3); // tone of the first step, tones decreasing after it, replyHoldDays
});

test('an unknown policy name is an error naming the known ones', () => {
  expect(() => getPolicy('aggressive')).toThrow(/unknown policy "aggressive"; known: standard, consumer, gentle, firm/);
});

test('on time, each step falls at due date + offset', () => {
  expect(planSchedule(standard, '2026-10-31', '2026-11-01').map(({ stage, date }) => [stage, date])).toEqual([
    ['reminder_1', '2026-11-03'],
    ['reminder_2', '2026-11-10'],
    ['final_reminder', '2026-11-15'],
    ['formal_notice', '2026-11-20'],
    ['handoff', '2026-11-30'],
  ]);
});

test('a case opened late starts at the first step and keeps the spacing: no catch-up burst', () => {
  const schedule = planSchedule(standard, '2026-01-31', '2026-11-23');
  expect(schedule.map(({ date }) => date)).toEqual([
    '2026-11-23',
    '2026-11-30',
    '2026-12-05',
    '2026-12-10',
    '2026-12-20',
  ]);
});

test('property: for any due and opening date, the schedule starts no earlier than opening and keeps the policy spacing', () => {
  const day = fc.integer({ min: 0, max: 3000 }).map((n) => addDays('2024-01-01', n));
  fc.assert(
    fc.property(
      fc.constantFrom(...SHIPPED_POLICIES),
      day,
      fc.integer({ min: 0, max: 400 }),
      (policy, due, lateness) => {
        const openedOn = addDays(due, lateness);
        const schedule = planSchedule(policy, due, openedOn);
        expect(daysBetween(openedOn, schedule[0]!.date)).toBeGreaterThanOrEqual(0);
        expect(daysBetween(due, schedule[0]!.date)).toBeGreaterThanOrEqual(policy.steps[0]!.offsetDays);
        schedule.slice(1).forEach((step, index) => {
          expect(daysBetween(schedule[index]!.date, step.date)).toBe(
            policy.steps[index + 1]!.offsetDays - policy.steps[index]!.offsetDays,
          );
        });
      },
    ),
    { numRuns: 300 },
  );
});
