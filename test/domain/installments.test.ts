import fc from 'fast-check';
import { addDays, addMonths, compareDates, daysBetween } from '../../domain/dates';
import {
  advancePlan,
  endPlan,
  initialPlanState,
  installmentViews,
  matchPayments,
  nextPlanCheckOn,
  planProgress,
  recordPlanPayment,
  resumePlan,
  suspendPlan,
  type AgreedInstallment,
  type PlanEvent,
  type PlanRules,
  type PlanState,
} from '../../domain/installments';
import type { CalendarDate } from '../../domain/types';

/** The standard policy's plan rules: reminder 3 days before, 5 days' grace, default after 2 missed or 30 days. */
const RULES: PlanRules = {
  reminderDaysBefore: 3,
  graceDays: 5,
  defaultAfterMissedInstallments: 2,
  defaultAfterDaysUnpaid: 30,
};

/** Three monthly installments of 100 €, agreed on 1 March 2027. */
const THREE: AgreedInstallment[] = [
  { dueDate: '2027-03-15', amountCents: 100_00 },
  { dueDate: '2027-04-15', amountCents: 100_00 },
  { dueDate: '2027-05-15', amountCents: 100_00 },
];

function planOf(
  options: { rules?: Partial<PlanRules>; agreedOn?: CalendarDate; installments?: AgreedInstallment[] } = {},
): PlanState {
  return initialPlanState({
    caseId: 'case-1',
    planNumber: 1,
    agreedOn: options.agreedOn ?? '2027-03-01',
    rules: { ...RULES, ...options.rules },
    installments: options.installments ?? THREE,
  });
}

let referenceCount = 0;
function pay(plan: PlanState, amountCents: number, paidAt: CalendarDate = '2027-03-01'): void {
  referenceCount += 1;
  expect(recordPlanPayment(plan, { reference: `ref-${referenceCount}`, amountCents, paidAt })).toBe(true);
}

/** Runs `advancePlan` on every day from `from` to `to` included, and returns what each day brought. */
function walk(plan: PlanState, from: CalendarDate, to: CalendarDate): Array<[CalendarDate, PlanEvent[]]> {
  const days: Array<[CalendarDate, PlanEvent[]]> = [];
  for (let day = from; compareDates(day, to) <= 0; day = addDays(day, 1)) {
    const events = advancePlan(plan, day);
    if (events.length > 0) days.push([day, events]);
  }
  return days;
}

const kinds = (events: PlanEvent[]) => events.map((event) => event.kind);

describe('matchPayments', () => {
  test.each<[string, number, number[]]>([
    ['nothing paid', 0, [0, 0, 0]],
    ['a partial payment leaves the first installment partly paid', 40_00, [40_00, 0, 0]],
    ['exactly the first installment', 100_00, [100_00, 0, 0]],
    ['a grouped payment covers several installments', 250_00, [100_00, 100_00, 50_00]],
    ['exactly the whole plan', 300_00, [100_00, 100_00, 100_00]],
    ['an over-payment pays everything and leaves nothing negative', 500_00, [100_00, 100_00, 100_00]],
    ['a negative total counts as nothing paid', -100_00, [0, 0, 0]],
  ])('%s', (_label, paidTotal, expected) => {
    expect(matchPayments(THREE, paidTotal)).toEqual(expected);
  });

  test('an early payment counts toward the first unpaid installment, whatever its date', () => {
    const farAway = [
      { dueDate: '2030-01-01', amountCents: 30_00 },
      { dueDate: '2030-02-01', amountCents: 70_00 },
    ];
    expect(matchPayments(farAway, 50_00)).toEqual([30_00, 20_00]);
  });

  test('unequal installments are filled in order, oldest first', () => {
    const uneven = [
      { dueDate: '2027-03-15', amountCents: 10_00 },
      { dueDate: '2027-04-15', amountCents: 250_00 },
      { dueDate: '2027-05-15', amountCents: 5_00 },
    ];
    expect(matchPayments(uneven, 200_00)).toEqual([10_00, 190_00, 0]);
  });

  test('no installments, nothing matched', () => {
    expect(matchPayments([], 100_00)).toEqual([]);
  });

  test('property: the matched amounts are a waterfall fill of min(paid, total)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 12 }),
        fc.integer({ min: -100_000, max: 1_500_000 }),
        (amounts, paidTotal) => {
          const installments = amounts.map((amountCents, index) => ({
            dueDate: addMonths('2027-01-10', index),
            amountCents,
          }));
          const matched = matchPayments(installments, paidTotal);
          const total = amounts.reduce((sum, amount) => sum + amount, 0);
          expect(matched).toHaveLength(amounts.length);
          expect(matched.reduce((sum, amount) => sum + amount, 0)).toBe(Math.min(Math.max(0, paidTotal), total));
          matched.forEach((amount, index) => {
            expect(amount).toBeGreaterThanOrEqual(0);
            expect(amount).toBeLessThanOrEqual(amounts[index]!);
            if (index > 0 && matched[index - 1]! < amounts[index - 1]!) expect(amount).toBe(0);
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('installmentViews', () => {
  const one = [{ dueDate: '2027-03-15', amountCents: 100_00 }];

  test.each<[number, CalendarDate, string]>([
    [5, '2027-03-14', 'upcoming'],
    [5, '2027-03-15', 'due'],
    [5, '2027-03-20', 'due'],
    [5, '2027-03-21', 'late'],
    [0, '2027-03-14', 'upcoming'],
    [0, '2027-03-15', 'due'],
    [0, '2027-03-16', 'late'],
    [7, '2027-03-22', 'due'],
    [7, '2027-03-23', 'late'],
  ])('unpaid, grace %i days, on %s: %s', (graceDays, today, status) => {
    expect(installmentViews(one, 0, today, graceDays)[0]!.status).toBe(status);
  });

  test.each<[CalendarDate, string]>([
    ['2027-03-14', 'partially_paid'],
    ['2027-03-15', 'due'],
    ['2027-03-21', 'late'],
  ])('partly paid, on %s: %s', (today, status) => {
    const [view] = installmentViews(one, 40_00, today, 5);
    expect(view).toMatchObject({ status, paidCents: 40_00 });
  });

  test.each(['2027-02-01', '2027-03-15', '2027-12-31'])('fully paid is paid on %s, early or late', (today) => {
    expect(installmentViews(one, 100_00, today, 5)[0]!.status).toBe('paid');
  });

  test('each view is numbered from 1 and carries its date, amount and what it received', () => {
    expect(installmentViews(THREE, 130_00, '2027-04-16', 5)).toEqual([
      { number: 1, dueDate: '2027-03-15', amountCents: 100_00, paidCents: 100_00, status: 'paid' },
      { number: 2, dueDate: '2027-04-15', amountCents: 100_00, paidCents: 30_00, status: 'due' },
      { number: 3, dueDate: '2027-05-15', amountCents: 100_00, paidCents: 0, status: 'upcoming' },
    ]);
  });
});

describe('planProgress', () => {
  test('nothing paid: the first installment is next, in full', () => {
    expect(planProgress(THREE, 0)).toEqual({
      installmentsPaid: 0,
      installmentsTotal: 3,
      remainingCents: 300_00,
      next: { number: 1, dueDate: '2027-03-15', amountDueCents: 100_00 },
    });
  });

  test('part paid: the first installment not fully paid is next, with what is still due on it', () => {
    expect(planProgress(THREE, 130_00)).toEqual({
      installmentsPaid: 1,
      installmentsTotal: 3,
      remainingCents: 170_00,
      next: { number: 2, dueDate: '2027-04-15', amountDueCents: 70_00 },
    });
  });

  test.each([300_00, 450_00])('paid %i: every installment paid, nothing remaining, no next', (paidTotal) => {
    expect(planProgress(THREE, paidTotal)).toEqual({
      installmentsPaid: 3,
      installmentsTotal: 3,
      remainingCents: 0,
      next: null,
    });
  });
});

describe('recordPlanPayment', () => {
  test('a payment forwarded twice with the same reference counts once', () => {
    const plan = planOf();
    const payment = { reference: 'VIR-42', amountCents: 100_00, paidAt: '2027-03-10' };
    expect(recordPlanPayment(plan, payment)).toBe(true);
    expect(recordPlanPayment(plan, { ...payment })).toBe(false);
    expect(recordPlanPayment(plan, { ...payment, amountCents: 999_00 })).toBe(false);
    expect(plan.payments).toEqual([payment]);
    // Counted once: the plan is still one installment short of completing after a second real payment.
    pay(plan, 100_00);
    expect(advancePlan(plan, '2027-03-11')).toEqual([]);
    expect(plan.outcome).toBeNull();
  });

  test('different references are different payments, and the plan keeps its own copy', () => {
    const plan = planOf();
    const payment = { reference: 'A', amountCents: 100_00, paidAt: '2027-03-10' };
    expect(recordPlanPayment(plan, payment)).toBe(true);
    expect(recordPlanPayment(plan, { reference: 'B', amountCents: 100_00, paidAt: '2027-03-10' })).toBe(true);
    payment.amountCents = 1;
    expect(plan.payments.map((known) => known.amountCents)).toEqual([100_00, 100_00]);
  });
});

describe('advancePlan: reminders', () => {
  test('one reminder per installment, on its reminder date, for what is due on it', () => {
    const plan = planOf();
    expect(walk(plan, '2027-03-01', '2027-03-11')).toEqual([]);
    expect(advancePlan(plan, '2027-03-12')).toEqual([
      { kind: 'installment_reminder', index: 0, dueDate: '2027-03-15', amountDueCents: 100_00 },
    ]);
    expect(plan.installments[0]!.remindedOn).toBe('2027-03-12');
    expect(walk(plan, '2027-03-12', '2027-03-15')).toEqual([]);
  });

  test('a first check after the reminder date but not after the due date still reminds', () => {
    const plan = planOf();
    expect(kinds(advancePlan(plan, '2027-03-15'))).toEqual(['installment_reminder']);
  });

  test('no reminder once the due date has passed: the missed notice takes over', () => {
    const plan = planOf();
    expect(advancePlan(plan, '2027-03-16')).toEqual([]);
    expect(kinds(advancePlan(plan, '2027-03-21'))).toEqual(['installment_missed']);
    expect(plan.installments[0]!.remindedOn).toBeNull();
  });

  test('with reminderDaysBefore 0 the reminder falls on the due date', () => {
    const plan = planOf({ rules: { reminderDaysBefore: 0 } });
    expect(walk(plan, '2027-03-01', '2027-03-15')).toEqual([
      ['2027-03-15', [{ kind: 'installment_reminder', index: 0, dueDate: '2027-03-15', amountDueCents: 100_00 }]],
    ]);
  });

  test.each<[CalendarDate, boolean]>([
    ['2027-03-13', false],
    ['2027-03-12', false],
    ['2027-03-11', true],
  ])('agreed on %s, reminder date 2027-03-12: reminded %s', (agreedOn, reminded) => {
    const plan = planOf({ agreedOn });
    const events = walk(plan, agreedOn, '2027-03-15').flatMap(([, dayEvents]) => dayEvents);
    expect(events.some((event) => event.kind === 'installment_reminder' && event.index === 0)).toBe(reminded);
  });

  test('a paid installment is not reminded; an over-payment lowers the next reminder', () => {
    const plan = planOf();
    pay(plan, 130_00);
    expect(advancePlan(plan, '2027-03-12')).toEqual([]);
    expect(walk(plan, '2027-03-13', '2027-04-12')).toEqual([
      ['2027-04-12', [{ kind: 'installment_reminder', index: 1, dueDate: '2027-04-15', amountDueCents: 70_00 }]],
    ]);
  });

  test('a partly paid installment is reminded for what is left', () => {
    const plan = planOf();
    pay(plan, 25_00);
    expect(advancePlan(plan, '2027-03-12')).toEqual([
      { kind: 'installment_reminder', index: 0, dueDate: '2027-03-15', amountDueCents: 75_00 },
    ]);
  });
});

describe('advancePlan: missed installments', () => {
  test.each([0, 5, 7])('grace %i: missed once, on the first day after the grace period', (graceDays) => {
    const plan = planOf({ rules: { graceDays, defaultAfterMissedInstallments: 3 } });
    advancePlan(plan, '2027-03-12');
    const missedOn = addDays('2027-03-15', graceDays + 1);
    expect(walk(plan, '2027-03-13', addDays(missedOn, -1))).toEqual([]);
    expect(advancePlan(plan, missedOn)).toEqual([
      { kind: 'installment_missed', index: 0, dueDate: '2027-03-15', amountDueCents: 100_00 },
    ]);
    expect(plan.installments[0]!.missedOn).toBe(missedOn);
    expect(walk(plan, missedOn, '2027-04-11')).toEqual([]);
  });

  test('a partly paid installment is missed for what is left', () => {
    const plan = planOf();
    pay(plan, 60_00);
    expect(advancePlan(plan, '2027-03-21')).toEqual([
      { kind: 'installment_missed', index: 0, dueDate: '2027-03-15', amountDueCents: 40_00 },
    ]);
  });

  test('an installment paid within its grace period is not missed', () => {
    const plan = planOf();
    advancePlan(plan, '2027-03-12');
    pay(plan, 100_00, '2027-03-20');
    expect(walk(plan, '2027-03-20', '2027-04-11')).toEqual([]);
    expect(plan.installments[0]!.missedOn).toBeNull();
  });
});

describe('advancePlan: default (déchéance du terme)', () => {
  test('after defaultAfterMissedInstallments missed installments still unpaid', () => {
    const plan = planOf();
    const days = walk(plan, '2027-03-01', '2027-06-30');
    expect(days.map(([day, events]) => [day, kinds(events)])).toEqual([
      ['2027-03-12', ['installment_reminder']],
      ['2027-03-21', ['installment_missed']],
      ['2027-04-12', ['installment_reminder']],
      ['2027-04-15', ['defaulted']], // the first is unpaid 31 days after its due date
    ]);
    expect(plan.outcome).toBe('defaulted');
  });

  test('by count: the second missed installment defaults the plan the day it is missed', () => {
    const plan = planOf({ rules: { defaultAfterDaysUnpaid: 45 } });
    const days = walk(plan, '2027-03-01', '2027-06-30');
    expect(days.at(-1)).toEqual([
      '2027-04-21',
      [
        { kind: 'installment_missed', index: 1, dueDate: '2027-04-15', amountDueCents: 100_00 },
        { kind: 'defaulted', reason: '2 échéance(s) impayée(s) après le délai de grâce' },
      ],
    ]);
    expect(plan).toMatchObject({
      outcome: 'defaulted',
      outcomeReason: '2 échéance(s) impayée(s) après le délai de grâce',
    });
  });

  test('with defaultAfterMissedInstallments 1, the first missed installment defaults the plan', () => {
    const plan = planOf({ rules: { defaultAfterMissedInstallments: 1 } });
    expect(kinds(advancePlan(plan, '2027-03-21'))).toEqual(['installment_missed', 'defaulted']);
    expect(plan.outcome).toBe('defaulted');
  });

  test('a late payment catching up a missed installment takes it out of the count', () => {
    const plan = planOf({ rules: { defaultAfterDaysUnpaid: 45 } });
    walk(plan, '2027-03-01', '2027-03-25');
    expect(plan.installments[0]!.missedOn).toBe('2027-03-21');
    pay(plan, 100_00, '2027-03-26');
    const days = walk(plan, '2027-03-26', '2027-05-05');
    expect(days.map(([day, events]) => [day, kinds(events)])).toEqual([
      ['2027-04-12', ['installment_reminder']],
      ['2027-04-21', ['installment_missed']],
    ]);
    expect(plan.outcome).toBeNull();
  });

  test('a partial late payment does not take a missed installment out of the count', () => {
    const plan = planOf({ rules: { defaultAfterDaysUnpaid: 45 } });
    walk(plan, '2027-03-01', '2027-03-25');
    pay(plan, 99_99, '2027-03-26');
    expect(walk(plan, '2027-03-26', '2027-04-21').at(-1)![0]).toBe('2027-04-21');
    expect(plan.outcome).toBe('defaulted');
  });

  test.each([10, 30, 45])(
    'by age: unpaid more than %i days after its due date, even partly paid',
    (defaultAfterDaysUnpaid) => {
      const plan = planOf({
        rules: { defaultAfterMissedInstallments: 3, defaultAfterDaysUnpaid },
        installments: [{ dueDate: '2027-03-15', amountCents: 100_00 }],
      });
      pay(plan, 50_00);
      const lastDayAllowed = addDays('2027-03-15', defaultAfterDaysUnpaid);
      expect(walk(plan, '2027-03-01', lastDayAllowed).flatMap(([, events]) => kinds(events))).toEqual([
        'installment_reminder',
        'installment_missed',
      ]);
      const reason = `échéance du 15/03/2027 impayée depuis plus de ${defaultAfterDaysUnpaid} jours`;
      expect(advancePlan(plan, addDays(lastDayAllowed, 1))).toEqual([{ kind: 'defaulted', reason }]);
      expect(plan).toMatchObject({ outcome: 'defaulted', outcomeReason: reason });
    },
  );

  test('by age: the clock of a later installment counts too', () => {
    const plan = planOf({ rules: { defaultAfterMissedInstallments: 3, defaultAfterDaysUnpaid: 10 } });
    pay(plan, 100_00);
    expect(walk(plan, '2027-03-01', '2027-04-25').flatMap(([, events]) => kinds(events))).toEqual([
      'installment_reminder',
      'installment_missed',
    ]);
    expect(advancePlan(plan, '2027-04-26')).toEqual([
      { kind: 'defaulted', reason: 'échéance du 15/04/2027 impayée depuis plus de 10 jours' },
    ]);
  });
});

describe('advancePlan: completion and outcomes', () => {
  test('completed once everything is paid, then nothing more', () => {
    const plan = planOf();
    pay(plan, 100_00);
    pay(plan, 150_00);
    expect(advancePlan(plan, '2027-03-05')).toEqual([]);
    pay(plan, 50_00);
    expect(advancePlan(plan, '2027-03-05')).toEqual([{ kind: 'completed' }]);
    expect(plan.outcome).toBe('completed');
    expect(walk(plan, '2027-03-05', '2027-08-01')).toEqual([]);
  });

  test('paying everything late, after missed installments, still completes the plan', () => {
    const plan = planOf({ rules: { defaultAfterMissedInstallments: 3, defaultAfterDaysUnpaid: 45 } });
    walk(plan, '2027-03-01', '2027-04-25');
    pay(plan, 300_00, '2027-04-26');
    expect(advancePlan(plan, '2027-04-26')).toEqual([{ kind: 'completed' }]);
  });

  test('a defaulted plan says nothing more, even if it is then paid in full', () => {
    const plan = planOf({ rules: { defaultAfterMissedInstallments: 1 } });
    walk(plan, '2027-03-01', '2027-03-21');
    expect(plan.outcome).toBe('defaulted');
    pay(plan, 300_00, '2027-03-22');
    expect(walk(plan, '2027-03-22', '2027-08-01')).toEqual([]);
    expect(plan.outcome).toBe('defaulted');
  });

  test('an ended plan says nothing more', () => {
    const plan = planOf();
    endPlan(plan, 'cancelled');
    expect(walk(plan, '2027-03-01', '2027-08-01')).toEqual([]);
    expect(plan.installments.every((installment) => installment.remindedOn === null)).toBe(true);
  });

  test('running twice the same day brings the events once', () => {
    const plan = planOf({ rules: { reminderDaysBefore: 6 } });
    expect(kinds(advancePlan(plan, '2027-03-15'))).toEqual(['installment_reminder']);
    expect(advancePlan(plan, '2027-03-15')).toEqual([]);
    expect(kinds(advancePlan(plan, '2027-03-21'))).toEqual(['installment_missed']);
    expect(advancePlan(plan, '2027-03-21')).toEqual([]);
  });
});

describe('nextPlanCheckOn', () => {
  test('follows the plan: reminder, end of grace, next reminder, default by age', () => {
    const plan = planOf();
    advancePlan(plan, '2027-03-01');
    expect(nextPlanCheckOn(plan, '2027-03-01')).toBe('2027-03-12');
    advancePlan(plan, '2027-03-12');
    expect(nextPlanCheckOn(plan, '2027-03-12')).toBe('2027-03-21');
    advancePlan(plan, '2027-03-21');
    expect(nextPlanCheckOn(plan, '2027-03-21')).toBe('2027-04-12');
    advancePlan(plan, '2027-04-12');
    expect(nextPlanCheckOn(plan, '2027-04-12')).toBe('2027-04-15'); // 2027-03-15 + 30 + 1
  });

  test('the default by age is a check of its own', () => {
    const plan = planOf({ installments: [{ dueDate: '2027-03-15', amountCents: 100_00 }] });
    walk(plan, '2027-03-01', '2027-03-21');
    expect(nextPlanCheckOn(plan, '2027-03-21')).toBe('2027-04-15');
  });

  test('no check for a reminder dated on or before the agreement', () => {
    const plan = planOf({ agreedOn: '2027-03-12' });
    advancePlan(plan, '2027-03-12');
    expect(nextPlanCheckOn(plan, '2027-03-12')).toBe('2027-03-21');
  });

  test('paid installments need no check', () => {
    const plan = planOf();
    pay(plan, 100_00);
    advancePlan(plan, '2027-03-01');
    expect(nextPlanCheckOn(plan, '2027-03-01')).toBe('2027-04-12');
  });

  test('the day returned is always later than today', () => {
    const plan = planOf();
    expect(nextPlanCheckOn(plan, '2027-03-12')).toBe('2027-03-21');
    expect(nextPlanCheckOn(plan, '2027-02-01')).toBe('2027-03-12');
  });

  test('null once the plan has an outcome, or while it is suspended', () => {
    const ended = planOf();
    endPlan(ended, 'replaced');
    expect(nextPlanCheckOn(ended, '2027-03-01')).toBeNull();
    const defaulted = planOf({ rules: { defaultAfterMissedInstallments: 1 } });
    advancePlan(defaulted, '2027-03-21');
    expect(nextPlanCheckOn(defaulted, '2027-03-21')).toBeNull();
    const suspended = planOf();
    suspendPlan(suspended, '2027-03-02');
    expect(nextPlanCheckOn(suspended, '2027-03-02')).toBeNull();
  });
});

describe('suspendPlan and resumePlan', () => {
  test('nothing is reminded, missed or defaulted while the plan is suspended', () => {
    const plan = planOf({ rules: { defaultAfterMissedInstallments: 1, defaultAfterDaysUnpaid: 10 } });
    expect(suspendPlan(plan, '2027-03-02')).toBe(true);
    expect(walk(plan, '2027-03-02', '2027-12-31')).toEqual([]);
    expect(plan.outcome).toBeNull();
    expect(plan.installments.every((i) => i.remindedOn === null && i.missedOn === null)).toBe(true);
  });

  test('suspending twice or resuming an unsuspended plan does nothing', () => {
    const plan = planOf();
    expect(resumePlan(plan, '2027-03-05')).toBe(0);
    expect(plan.installments).toEqual(planOf().installments);
    expect(suspendPlan(plan, '2027-03-05')).toBe(true);
    expect(suspendPlan(plan, '2027-03-09')).toBe(false);
    expect(plan.suspendedSince).toBe('2027-03-05');
    expect(resumePlan(plan, '2027-03-10')).toBe(5);
    expect(resumePlan(plan, '2027-03-20')).toBe(0);
    expect(plan.installments.map((i) => i.dueDate)).toEqual(['2027-03-20', '2027-04-20', '2027-05-20']);
  });

  test('a plan with an outcome cannot be suspended', () => {
    const plan = planOf();
    endPlan(plan, 'cancelled');
    expect(suspendPlan(plan, '2027-03-05')).toBe(false);
    expect(plan.suspendedSince).toBeNull();
  });

  test('on resume the unpaid installments (partly paid included) move later by the days suspended; paid ones stay', () => {
    const plan = planOf();
    pay(plan, 130_00);
    suspendPlan(plan, '2027-04-01');
    expect(resumePlan(plan, '2027-04-11')).toBe(10);
    expect(plan.suspendedSince).toBeNull();
    expect(plan.installments.map((i) => i.dueDate)).toEqual(['2027-03-15', '2027-04-25', '2027-05-25']);
    expect(plan.installments.map((i) => i.amountCents)).toEqual([100_00, 100_00, 100_00]);
  });

  test('suspended and resumed the same day: nothing moves, the plan runs again', () => {
    const plan = planOf();
    suspendPlan(plan, '2027-03-10');
    expect(resumePlan(plan, '2027-03-10')).toBe(0);
    expect(plan.suspendedSince).toBeNull();
    expect(plan.installments.map((i) => i.dueDate)).toEqual(THREE.map((i) => i.dueDate));
    expect(kinds(advancePlan(plan, '2027-03-12'))).toEqual(['installment_reminder']);
  });

  test('after resuming, the moved installments are reminded and missed on their new dates', () => {
    const plan = planOf({ rules: { defaultAfterMissedInstallments: 3, defaultAfterDaysUnpaid: 45 } });
    advancePlan(plan, '2027-03-01');
    suspendPlan(plan, '2027-03-05');
    expect(walk(plan, '2027-03-05', '2027-03-24')).toEqual([]);
    expect(resumePlan(plan, '2027-03-25')).toBe(20); // the first is now due on 2027-04-04
    expect(nextPlanCheckOn(plan, '2027-03-25')).toBe('2027-04-01');
    const days = walk(plan, '2027-03-25', '2027-04-10');
    expect(days.map(([day, events]) => [day, kinds(events)])).toEqual([
      ['2027-04-01', ['installment_reminder']],
      ['2027-04-10', ['installment_missed']],
    ]);
  });

  test('a missed installment stays missed when, moved, it is still past its grace', () => {
    const plan = planOf({ rules: { defaultAfterMissedInstallments: 3, defaultAfterDaysUnpaid: 45 } });
    walk(plan, '2027-03-01', '2027-03-22');
    suspendPlan(plan, '2027-03-22');
    resumePlan(plan, '2027-04-01'); // moved to 2027-03-25: 7 days late on resuming, grace 5
    expect(plan.installments[0]).toMatchObject({ dueDate: '2027-03-25', missedOn: '2027-03-21' });
    expect(advancePlan(plan, '2027-04-01')).toEqual([]);
  });

  test('a missed installment is missed no more when, moved, it is back within its grace', () => {
    // The suspension is dated from the dispute, 2027-03-18, though the plan only heard of it later.
    const plan = planOf({ rules: { defaultAfterMissedInstallments: 3, defaultAfterDaysUnpaid: 45 } });
    walk(plan, '2027-03-01', '2027-03-21');
    expect(plan.installments[0]!.missedOn).toBe('2027-03-21');
    suspendPlan(plan, '2027-03-18');
    expect(resumePlan(plan, '2027-03-28')).toBe(10); // due 2027-03-25: 3 days late, grace 5
    expect(plan.installments[0]).toMatchObject({ dueDate: '2027-03-25', missedOn: null });
    expect(walk(plan, '2027-03-28', '2027-03-30')).toEqual([]);
    expect(advancePlan(plan, '2027-03-31')).toEqual([
      { kind: 'installment_missed', index: 0, dueDate: '2027-03-25', amountDueCents: 100_00 },
    ]);
  });
  test('a reminded installment is reminded again when, moved, its reminder date is still to come', () => {
    // The suspension is dated from the dispute, 2027-03-10, though the plan only heard of it later.
    const plan = planOf();
    advancePlan(plan, '2027-03-12');
    expect(plan.installments[0]!.remindedOn).toBe('2027-03-12');
    suspendPlan(plan, '2027-03-10');
    expect(resumePlan(plan, '2027-03-20')).toBe(10); // due 2027-03-25, reminder date 2027-03-22
    expect(plan.installments[0]).toMatchObject({ dueDate: '2027-03-25', remindedOn: null });
    expect(walk(plan, '2027-03-20', '2027-03-25')).toEqual([
      ['2027-03-22', [{ kind: 'installment_reminder', index: 0, dueDate: '2027-03-25', amountDueCents: 100_00 }]],
    ]);
  });

  test('a plan ended while suspended does not move on resume', () => {
    const plan = planOf();
    suspendPlan(plan, '2027-03-05');
    endPlan(plan, 'case_closed');
    expect(resumePlan(plan, '2027-03-25')).toBe(0);
    expect(plan.installments.map((i) => i.dueDate)).toEqual(THREE.map((i) => i.dueDate));
    expect(plan.outcome).toBe('case_closed');
  });
});

describe('endPlan', () => {
  test('sets the outcome once', () => {
    const plan = planOf();
    expect(endPlan(plan, 'replaced')).toBe(true);
    expect(plan.outcome).toBe('replaced');
    expect(endPlan(plan, 'cancelled')).toBe(false);
    expect(plan.outcome).toBe('replaced');
  });

  test.each(['cancelled', 'replaced', 'case_closed'] as const)(
    'a plan already paid in full ends completed, not %s',
    (outcome) => {
      const plan = planOf();
      pay(plan, 300_00);
      expect(endPlan(plan, outcome)).toBe(true);
      expect(plan.outcome).toBe('completed');
    },
  );

  test('a plan paid all but a cent ends with the outcome asked for', () => {
    const plan = planOf();
    pay(plan, 299_99);
    endPlan(plan, 'case_closed');
    expect(plan.outcome).toBe('case_closed');
  });

  test('a defaulted or completed plan cannot be ended again', () => {
    const plan = planOf({ rules: { defaultAfterMissedInstallments: 1 } });
    advancePlan(plan, '2027-03-21');
    expect(endPlan(plan, 'cancelled')).toBe(false);
    expect(plan.outcome).toBe('defaulted');
  });
});

/*
 * The workflow sleeps until `nextPlanCheckOn` and wakes up early only for a signal (a payment, a
 * suspension, a resumption). Walking every day must see exactly what jumping from check to check sees.
 */
describe('property: checking only on the days nextPlanCheckOn predicts misses nothing', () => {
  const HORIZON_DAYS = 400;

  type Signal =
    | { kind: 'payment'; day: number; amountCents: number }
    | { kind: 'suspend'; day: number }
    | { kind: 'resume'; day: number };

  interface Scenario {
    agreedOn: CalendarDate;
    rules: PlanRules;
    installments: AgreedInstallment[];
    signals: Signal[];
  }

  const rules = fc.record({
    reminderDaysBefore: fc.integer({ min: 0, max: 7 }),
    graceDays: fc.integer({ min: 0, max: 7 }),
    defaultAfterMissedInstallments: fc.integer({ min: 1, max: 3 }),
    defaultAfterDaysUnpaid: fc.integer({ min: 10, max: 45 }),
  });

  const scenario = (withSuspensions: boolean): fc.Arbitrary<Scenario> =>
    fc
      .record({
        start: fc.integer({ min: 0, max: 730 }),
        firstDueIn: fc.integer({ min: 0, max: 40 }),
        amounts: fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: 1, maxLength: 12 }),
        rules,
        payments: fc.array(
          fc.record({
            day: fc.integer({ min: 0, max: HORIZON_DAYS }),
            amountCents: fc.oneof(fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 1, max: 300_000 })),
          }),
          { maxLength: 15 },
        ),
        suspensions: withSuspensions
          ? fc.array(
              fc.record({ day: fc.integer({ min: 0, max: HORIZON_DAYS }), length: fc.integer({ min: 0, max: 60 }) }),
              { maxLength: 3 },
            )
          : fc.constant<Array<{ day: number; length: number }>>([]),
      })
      .map(({ start, firstDueIn, amounts, rules, payments, suspensions }) => {
        const agreedOn = addDays('2027-01-01', start);
        const firstDue = addDays(agreedOn, firstDueIn);
        return {
          agreedOn,
          rules,
          installments: amounts.map((amountCents, index) => ({ dueDate: addMonths(firstDue, index), amountCents })),
          signals: [
            ...payments.map(({ day, amountCents }) => ({ kind: 'payment' as const, day, amountCents })),
            ...suspensions.flatMap(({ day, length }) => [
              { kind: 'suspend' as const, day },
              { kind: 'resume' as const, day: day + length },
            ]),
          ],
        };
      });

  function applySignals(plan: PlanState, signals: Signal[], today: CalendarDate): void {
    signals.forEach((signal, index) => {
      if (signal.kind === 'payment') {
        recordPlanPayment(plan, {
          reference: `p${signal.day}-${index}`,
          amountCents: signal.amountCents,
          paidAt: today,
        });
      } else if (signal.kind === 'suspend') {
        suspendPlan(plan, today);
      } else {
        resumePlan(plan, today);
      }
    });
  }

  /** The events of the whole run, each with its day; `daily` checks every day, otherwise only when due. */
  function run(input: Scenario, daily: boolean): { log: string[]; plan: PlanState } {
    const plan = initialPlanState({ caseId: 'c', planNumber: 1, ...input });
    const log: string[] = [];
    let predicted: CalendarDate | null = null;
    for (let day = 0; day <= HORIZON_DAYS; day += 1) {
      const today = addDays(input.agreedOn, day);
      const signals = input.signals.filter((signal) => signal.day === day);
      applySignals(plan, signals, today);
      const wakes = day === 0 || signals.length > 0 || predicted === today;
      if (!daily && !wakes) continue;
      const events = advancePlan(plan, today);
      if (daily && !wakes) expect(events).toEqual([]); // an event on a day nobody would have woken up
      if (daily && predicted === today && signals.length === 0) expect(events).not.toEqual([]); // no idle wake-up
      events.forEach((event) => log.push(`${today} ${JSON.stringify(event)}`));
      predicted = nextPlanCheckOn(plan, today);
      if (predicted !== null) expect(compareDates(predicted, today)).toBe(1);
      if (daily && plan.outcome === null && plan.suspendedSince === null) {
        const views = installmentViews(plan.installments, totalPaid(plan), today, plan.rules.graceDays);
        views.forEach((view, index) => {
          expect(view.status === 'late').toBe(
            plan.installments[index]!.missedOn !== null &&
              view.paidCents < view.amountCents &&
              daysBetween(view.dueDate, today) > plan.rules.graceDays,
          );
        });
      }
    }
    return { log, plan };
  }

  const totalPaid = (plan: PlanState) => plan.payments.reduce((sum, payment) => sum + payment.amountCents, 0);

  test.each<[string, boolean]>([
    ['with payments on random days', false],
    ['with payments, suspensions and resumptions on random days', true],
  ])('%s', (_label, withSuspensions) => {
    fc.assert(
      fc.property(scenario(withSuspensions), (input) => {
        const walked = run(input, true);
        const jumped = run(input, false);
        expect(jumped.log).toEqual(walked.log);
        expect(jumped.plan).toEqual(walked.plan);
      }),
      { numRuns: 100 },
    );
  });

  test('the scenarios are not vacuous: they remind, miss, complete and default', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenario(false), (input) => {
        run(input, false).log.forEach((line) => seen.add(JSON.parse(line.slice(11)).kind));
      }),
      { numRuns: 200, seed: 42 },
    );
    expect([...seen].sort()).toEqual(['completed', 'defaulted', 'installment_missed', 'installment_reminder']);
  });
});
