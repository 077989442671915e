/**
 * Issue 14, the 10:00 rush as a pure rule: a message deferred to a window opening goes at an
 * offset of its own after it, a function of the case id only: stable, inside
 * [0, OPENING_SPREAD_MINUTES), even over a portfolio, never outside the window or over a cap, and
 * only for cases on the opening-spread rules.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  OPENING_SPREAD_MINUTES,
  caseHash,
  openingOffsetSeconds,
  plannedAfterDeferral,
  spreadAfterOpening,
  waitsForOpening,
} from '../../domain/case/opening-spread';
import { advance } from '../../domain/case/progress';
import { RULES_VERSIONS } from '../../domain/case/rules-version';
import { initialCaseState } from '../../domain/case/state';
import type { CaseEffect, JournalNote } from '../../domain/case/effects';
import {
  DEFAULT_CONTACT_RULES,
  NO_RESTRICTIONS,
  isContactAllowed,
  type ContactRules,
} from '../../domain/contact-limits';
import { caseInputOf, paris } from '../helpers/case-fixture';

const SPREAD_MS = OPENING_SPREAD_MINUTES * 60_000;
const MONDAY_OPENING = new Date(paris('2027-02-08T10:00'));

/** Case ids as intake makes them (api/intake.ts caseIdFor): c_ and 20 hex digits of SHA-256. */
const intakeId = (n: number) => `c_${createHash('sha256').update(`acme\u0000INV-${n}`).digest('hex').slice(0, 20)}`;

/** Minute buckets of the offsets of `ids`. */
function histogram(ids: string[]): number[] {
  const buckets = new Array<number>(OPENING_SPREAD_MINUTES).fill(0);
  for (const id of ids) buckets[Math.floor(openingOffsetSeconds(id) / 60)]! += 1;
  return buckets;
}

describe('the offset of a case', () => {
  test('is the same at every call: a pinned FNV-1a + finaliser value', () => {
    // Pinned: a change of hash would move every running case's planned send at its next deferral.
    expect(openingOffsetSeconds('c_test')).toBe(caseHash('c_test') % (OPENING_SPREAD_MINUTES * 60));
    expect(openingOffsetSeconds('c_test')).toBe(PINNED.c_test);
    expect(openingOffsetSeconds('c_spread_weekend')).toBe(PINNED.c_spread_weekend);
    expect(openingOffsetSeconds(intakeId(1))).toBe(PINNED.intake1);
  });

  test('lies in [0, OPENING_SPREAD_MINUTES) for any id, in whole seconds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), (id) => {
        const offset = openingOffsetSeconds(id);
        expect(Number.isInteger(offset)).toBe(true);
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset).toBeLessThan(OPENING_SPREAD_MINUTES * 60);
      }),
      { numRuns: 2000 },
    );
  });

  test.each([
    ['intake ids (SHA-256 hex)', (n: number) => intakeId(n)],
    ['sequential ids (c_1 … c_10000)', (n: number) => `c_${n}`],
  ])('spreads 10,000 %s evenly over the minutes of the spread', (_label, idOf) => {
    const ids = Array.from({ length: 10_000 }, (_, n) => idOf(n + 1));
    const buckets = histogram(ids);
    const expected = ids.length / OPENING_SPREAD_MINUTES;
    console.log(
      `${_label}: per minute min ${Math.min(...buckets)} max ${Math.max(...buckets)} (expected ${expected.toFixed(0)})\n` +
        buckets
          .map((count, minute) => `+${String(minute).padStart(2)}′ ${'#'.repeat(Math.round(count / 10))} ${count}`)
          .join('\n'),
    );
    // A uniform draw gives a standard deviation of about 15 per minute: ±25 % is about 4 of them.
    for (const count of buckets) {
      expect(count).toBeGreaterThan(expected * 0.75);
      expect(count).toBeLessThan(expected * 1.25);
    }
    // And no instant is a herd of its own: at most a handful of cases share a second.
    const perSecond = new Map<number, number>();
    for (const id of ids) perSecond.set(openingOffsetSeconds(id), (perSecond.get(openingOffsetSeconds(id)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(15);
  });
});

describe('spreadAfterOpening', () => {
  test('the opening plus the offset, inside the window, for the default rules', () => {
    const at = spreadAfterOpening('c_test', MONDAY_OPENING, 'email', [], NO_RESTRICTIONS, DEFAULT_CONTACT_RULES);
    expect(at.getTime() - MONDAY_OPENING.getTime()).toBe(openingOffsetSeconds('c_test') * 1000);
  });

  test('never leaves the window nor breaks a cap, whatever the id, opening and rules', () => {
    const rules = (end: string): ContactRules => ({
      ...DEFAULT_CONTACT_RULES,
      windows: [{ start: '19:40', end }],
    });
    fc.assert(
      fc.property(
        fc.string({ maxLength: 24 }),
        fc.constantFrom('19:45', '19:50', '20:00', '21:00', '23:00'),
        fc.integer({ min: 0, max: 4 }),
        (id, end, weeks) => {
          const opening = new Date(Date.parse(paris('2027-02-08T19:40')) + weeks * 7 * 86_400_000);
          const at = spreadAfterOpening(id, opening, 'sms', [], NO_RESTRICTIONS, rules(end));
          expect(at.getTime()).toBeGreaterThanOrEqual(opening.getTime());
          expect(at.getTime()).toBeLessThan(opening.getTime() + SPREAD_MS);
          expect(isContactAllowed('sms', at, [], NO_RESTRICTIONS, rules(end))).toEqual({ allowed: true });
        },
      ),
      { numRuns: 500 },
    );
  });

  test('a window shorter than the offset halves it until the send fits', () => {
    const offset = openingOffsetSeconds('c_test');
    // Two minutes of window, fewer seconds than the offset: the offset is halved until it fits.
    expect(offset).toBeGreaterThan(120);
    const short: ContactRules = { ...DEFAULT_CONTACT_RULES, windows: [{ start: '10:00', end: '10:02' }] };
    const at = spreadAfterOpening('c_test', MONDAY_OPENING, 'email', [], NO_RESTRICTIONS, short);
    const used = (at.getTime() - MONDAY_OPENING.getTime()) / 1000;
    expect(used).toBeLessThan(120);
    let halved = offset;
    while (halved >= 120) halved = Math.floor(halved / 2);
    expect(used).toBe(halved);
  });
});

describe('which deferrals are spread', () => {
  test('those waiting for a window opening; not one waiting only for a cap', () => {
    expect(waitsForOpening(['weekend'])).toBe(true);
    expect(waitsForOpening(['public_holiday'])).toBe(true);
    expect(waitsForOpening(['outside_hours'])).toBe(true);
    expect(waitsForOpening(['weekend', 'automated_cap'])).toBe(true);
    expect(waitsForOpening(['automated_cap'])).toBe(false);
    expect(waitsForOpening(['call_cap'])).toBe(false);
  });

  test('only for cases on the opening-spread rules', () => {
    const input = caseInputOf('c_test', 185000)();
    const slot = { at: MONDAY_OPENING, reasons: ['weekend'] };
    const planned = (rulesVersion: number) =>
      plannedAfterDeferral({ input, rulesVersion }, 'email', slot, [], NO_RESTRICTIONS, DEFAULT_CONTACT_RULES);
    expect(planned(RULES_VERSIONS.original)).toEqual(MONDAY_OPENING);
    expect(planned(RULES_VERSIONS.complianceReview)).toEqual(MONDAY_OPENING);
    expect(planned(RULES_VERSIONS.openingSpread).getTime() - MONDAY_OPENING.getTime()).toBe(
      openingOffsetSeconds('c_test') * 1000,
    );
  });

  test('only when the slot is a window opening: the instant a cap frees after the night keeps its slot', () => {
    const input = caseInputOf('c_test', 185000)();
    const plan = (at: Date, channel: 'email' | 'letter' = 'email') =>
      plannedAfterDeferral(
        { input, rulesVersion: RULES_VERSIONS.openingSpread },
        channel,
        { at, reasons: ['outside_hours', 'automated_cap'] },
        [],
        NO_RESTRICTIONS,
        DEFAULT_CONTACT_RULES,
      );
    // A slot the cap chose (10:39:34, when an earlier message leaves the 7 days) is already the
    // case's own: offsetting it again would delay it by twice the offset, and more at each cap.
    const capFrees = new Date(paris('2027-02-08T10:39:34'));
    expect(plan(capFrees)).toEqual(capFrees);
    // The afternoon opening and the letters' 09:00 are openings too.
    const afternoon = new Date(paris('2027-02-08T14:00'));
    expect(plan(afternoon).getTime() - afternoon.getTime()).toBe(openingOffsetSeconds('c_test') * 1000);
    const letters = new Date(paris('2027-02-08T09:00'));
    expect(plan(letters, 'letter').getTime() - letters.getTime()).toBe(openingOffsetSeconds('c_test') * 1000);
    // 09:00 opens no e-mail window.
    expect(plan(letters)).toEqual(letters);
  });
});

describe('advance: a step due on a Saturday', () => {
  const journalOf = (effects: CaseEffect[]): JournalNote[] =>
    effects.flatMap((effect) => (effect.kind === 'journal' ? [effect.note] : []));

  /** A case whose first reminder falls due on Saturday 6 February 2027 at midnight. */
  function caseDueSaturday(rulesVersion: number) {
    const state = initialCaseState(caseInputOf('c_spread_weekend', 185000)({}, '2027-02-03'));
    state.rulesVersion = rulesVersion;
    state.nextStepOn = '2027-02-06';
    return state;
  }

  test('is deferred to Monday 10:00 plus the case offset, and the journal says that time', () => {
    const state = caseDueSaturday(RULES_VERSIONS.openingSpread);
    const effects = advance(state, paris('2027-02-06T00:00'));
    const planned = new Date(MONDAY_OPENING.getTime() + openingOffsetSeconds('c_spread_weekend') * 1000);
    expect(state.pending).toEqual([expect.objectContaining({ channel: 'email', notBefore: planned.toISOString() })]);
    const deferred = journalOf(effects).find((note) => note.type === 'message_deferred');
    const hhmm = new Intl.DateTimeFormat('fr-FR', {
      timeZone: 'Europe/Paris',
      hour: '2-digit',
      minute: '2-digit',
    }).format(planned);
    expect(deferred?.summary).toBe(`e-mail reporté au 08/02/2027 à ${hhmm} (week-end)`);
    expect(hhmm).not.toBe('10:00');
    // Nothing goes at the opening itself; the message goes at its planned instant.
    expect(advance(state, MONDAY_OPENING.toISOString()).filter((effect) => effect.kind === 'contact')).toEqual([]);
    const sent = advance(state, planned.toISOString()).filter((effect) => effect.kind === 'contact');
    expect(sent).toHaveLength(1);
  });

  test('cases on the earlier rules still go at 10:00 sharp', () => {
    const state = caseDueSaturday(RULES_VERSIONS.complianceReview);
    advance(state, paris('2027-02-06T00:00'));
    expect(state.pending).toEqual([expect.objectContaining({ notBefore: MONDAY_OPENING.toISOString() })]);
  });

  test('a contact that may go at once goes at once, with no offset', () => {
    const state = caseDueSaturday(RULES_VERSIONS.openingSpread);
    state.nextStepOn = '2027-02-08';
    const effects = advance(state, paris('2027-02-08T11:07'));
    expect(effects.filter((effect) => effect.kind === 'contact')).toEqual([
      expect.objectContaining({ contact: expect.objectContaining({ notBefore: paris('2027-02-08T11:07') }) }),
    ]);
  });
});

// 42′48″, 35′11″, 9′43″.
const PINNED = { c_test: 2568, c_spread_weekend: 2111, intake1: 583 };
