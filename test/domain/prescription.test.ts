/**
 * R1 (prescription). Every expected date below is worked out by hand from the articles, never by the
 * code under test: a test that recomputed the date with `addYears` would pass whatever the rule.
 */
import fc from 'fast-check';
import { addDays, compareDates } from '../../domain/dates';
import {
  ACKNOWLEDGEMENT_FORMS,
  PRESCRIPTION_PERIODS,
  alertDate,
  claimPrescription,
  claimTypeFor,
  invoicePrescription,
  type InvoicePrescription,
  type PrescriptionEvent,
} from '../../domain/prescription';
import type { CalendarDate, Claim, ClaimType, Invoice } from '../../domain/types';

function invoice(dueDate: CalendarDate, overrides: Partial<Invoice> = {}): Invoice {
  return { number: 'F-1', issueDate: dueDate, dueDate, amountCents: 10_000, ...overrides };
}

function claimOf(invoices: Invoice[], type?: ClaimType): Claim {
  return { nature: 'Maintenance', basis: 'Bon de commande BC-778', currency: 'EUR', invoices, type };
}

function lastDay(
  claimType: ClaimType,
  due: CalendarDate,
  events: PrescriptionEvent[],
  today: CalendarDate,
): CalendarDate | null {
  return invoicePrescription(invoice(due), claimType, events, today).lastEnforceableDay;
}

function prescribed(
  claimType: ClaimType,
  due: CalendarDate,
  events: PrescriptionEvent[],
  today: CalendarDate,
): boolean {
  return invoicePrescription(invoice(due), claimType, events, today).prescribed;
}

describe('claim type and period', () => {
  test('a consumer owes for goods or services, a business owes a commercial claim, unless the claim says otherwise', () => {
    expect(claimTypeFor('consumer')).toBe('consumer_goods_services');
    expect(claimTypeFor('business')).toBe('commercial');
    expect(claimTypeFor('consumer', 'residential_rent')).toBe('residential_rent');
    expect(claimTypeFor('business', 'civil')).toBe('civil');
  });

  test.each([
    ['consumer_goods_services', 2, 'Code de la consommation L218-2'],
    ['commercial', 5, 'Code de commerce L110-4'],
    ['civil', 5, 'Code civil 2224'],
    ['residential_rent', 3, 'loi du 6 juillet 1989, art. 7-1'],
  ] as const)('%s: %i years (%s)', (claimType, years, article) => {
    expect(PRESCRIPTION_PERIODS[claimType]).toEqual({ years, article });
  });
});

describe('legal periods, counted de date à date (Code civil 2228, 2229)', () => {
  test.each([
    // Code de la consommation L218-2: 2 years
    ['consumer_goods_services', '2023-01-31', '2025-01-31'],
    ['consumer_goods_services', '2024-02-29', '2026-02-28'],
    ['consumer_goods_services', '2022-02-28', '2024-02-28'],
    ['consumer_goods_services', '2023-12-31', '2025-12-31'],
    // Code de commerce L110-4: 5 years
    ['commercial', '2025-10-31', '2030-10-31'],
    ['commercial', '2024-02-29', '2029-02-28'],
    ['commercial', '2023-02-28', '2028-02-28'],
    ['commercial', '2023-03-01', '2028-03-01'],
    ['commercial', '2020-06-30', '2025-06-30'],
    // Code civil 2224: 5 years
    ['civil', '2020-02-29', '2025-02-28'],
    ['civil', '2024-12-31', '2029-12-31'],
    // loi du 6 juillet 1989, art. 7-1: 3 years
    ['residential_rent', '2024-02-29', '2027-02-28'],
    ['residential_rent', '2025-04-30', '2028-04-30'],
    ['residential_rent', '2021-02-28', '2024-02-28'],
  ] as const)('%s due %s: last enforceable day %s', (claimType, due, expected) => {
    expect(lastDay(claimType, due, [], '2020-01-01')).toBe(expected);
  });

  test('Code civil 2229 — the last day itself is still enforceable; the next day is barred', () => {
    expect(prescribed('commercial', '2025-10-31', [], '2030-10-31')).toBe(false);
    expect(prescribed('commercial', '2025-10-31', [], '2030-11-01')).toBe(true);
  });

  test('Code civil 2228 — a period starting on 29 February ends on 28 February, barred from 1 March', () => {
    expect(prescribed('consumer_goods_services', '2024-02-29', [], '2026-02-28')).toBe(false);
    expect(prescribed('consumer_goods_services', '2024-02-29', [], '2026-03-01')).toBe(true);
  });

  test('Code de la consommation L218-2 — consumer claim barred after 2 years', () => {
    const claim = claimOf([invoice('2023-05-15')]);
    expect(claimPrescription(claim, 'consumer', [], '2025-05-15').prescribed).toBe(false);
    expect(claimPrescription(claim, 'consumer', [], '2025-05-16')).toMatchObject({
      claimType: 'consumer_goods_services',
      period: { years: 2, article: 'Code de la consommation L218-2' },
      prescribed: true,
      date: '2025-05-15',
    });
  });

  test('Code de commerce L110-4 — the same claim against a business is enforceable for 5 years', () => {
    const claim = claimOf([invoice('2023-05-15')]);
    expect(claimPrescription(claim, 'business', [], '2025-05-16').prescribed).toBe(false);
    expect(claimPrescription(claim, 'business', [], '2028-05-15').prescribed).toBe(false);
    expect(claimPrescription(claim, 'business', [], '2028-05-16').prescribed).toBe(true);
  });

  test('Code civil 2224 — an explicitly civil claim against a consumer runs 5 years, not 2', () => {
    const claim = claimOf([invoice('2023-05-15')], 'civil');
    expect(claimPrescription(claim, 'consumer', [], '2026-01-01').prescribed).toBe(false);
    expect(claimPrescription(claim, 'consumer', [], '2028-05-16').prescribed).toBe(true);
  });

  test('loi du 6 juillet 1989, art. 7-1 — rent is barred after 3 years', () => {
    const claim = claimOf([invoice('2022-04-05')], 'residential_rent');
    expect(claimPrescription(claim, 'consumer', [], '2025-04-05').prescribed).toBe(false);
    expect(claimPrescription(claim, 'consumer', [], '2025-04-06').prescribed).toBe(true);
  });
});

describe('start of the period', () => {
  test('R1 — each installment runs from its own due date', () => {
    const claim = claimOf([
      invoice('2023-01-10', { number: 'E-1' }),
      invoice('2023-07-10', { number: 'E-2' }),
      invoice('2023-04-10', { number: 'E-3' }),
    ]);
    const result = claimPrescription(claim, 'consumer', [], '2025-03-01');
    expect(result.invoices.map((one) => [one.invoiceNumber, one.lastEnforceableDay, one.prescribed])).toEqual([
      ['E-1', '2025-01-10', true],
      ['E-2', '2025-07-10', false],
      ['E-3', '2025-04-10', false],
    ]);
  });

  test('R1 [default] — a known performance date earlier than the due date starts the period', () => {
    const delivered = invoice('2023-02-04', { issueDate: '2023-01-05', performanceDate: '2023-01-05' });
    const result = invoicePrescription(delivered, 'consumer_goods_services', [], '2025-01-06');
    expect(result).toMatchObject({ startDate: '2023-01-05', lastEnforceableDay: '2025-01-05', prescribed: true });
    expect(result.basis).toContain('performance date');
  });

  test('R1 [default] — a performance date after the due date does not delay the start', () => {
    const prepaid = invoice('2023-02-04', { issueDate: '2023-01-05', performanceDate: '2023-03-15' });
    expect(invoicePrescription(prepaid, 'consumer_goods_services', [], '2024-01-01')).toMatchObject({
      startDate: '2023-02-04',
      lastEnforceableDay: '2025-02-04',
    });
  });
});

describe('interruption (Code civil 2231, 2240, 2241, 2244)', () => {
  // Commercial, due 2020-03-31: barred from 2025-04-01 without events.
  const due = '2020-03-31';
  const today = '2026-01-01';

  test('without any event this claim is barred on 2026-01-01 (baseline for the tests below)', () => {
    expect(lastDay('commercial', due, [], today)).toBe('2025-03-31');
    expect(prescribed('commercial', due, [], today)).toBe(true);
  });

  test('Code civil 2240 — a partial payment restarts a full period', () => {
    const events: PrescriptionEvent[] = [{ type: 'acknowledgement', date: '2024-06-15', form: 'partial_payment' }];
    const result = invoicePrescription(invoice(due), 'commercial', events, today);
    expect(result).toMatchObject({ lastEnforceableDay: '2029-06-15', prescribed: false });
    expect(result.basis).toContain('Code civil 2240');
    expect(result.basis).toContain('2024-06-15');
  });

  test.each(ACKNOWLEDGEMENT_FORMS)('Code civil 2240 — an acknowledgement by %s interrupts', (form) => {
    expect(lastDay('commercial', due, [{ type: 'acknowledgement', date: '2024-06-15', form }], today)).toBe(
      '2029-06-15',
    );
  });

  test('Code civil 2231 — the new period is a full one, not the time that was left', () => {
    // 9 months were left on 2024-06-30; a full 2-year consumer period follows instead.
    const events: PrescriptionEvent[] = [{ type: 'acknowledgement', date: '2024-06-30', form: 'installment_plan' }];
    expect(lastDay('consumer_goods_services', '2023-03-31', events, '2024-07-01')).toBe('2026-06-30');
  });

  test('Code civil 2241 — a court action interrupts', () => {
    expect(lastDay('commercial', due, [{ type: 'court_action', date: '2024-09-02' }], today)).toBe('2029-09-02');
  });

  test('Code civil 2244 — an enforcement measure interrupts', () => {
    expect(lastDay('commercial', due, [{ type: 'enforcement_measure', date: '2025-03-31' }], today)).toBe('2030-03-31');
  });

  test('Code civil 2231 — after several interruptions the latest one counts, whatever the input order', () => {
    const events: PrescriptionEvent[] = [
      { type: 'acknowledgement', date: '2024-06-15', form: 'partial_payment' },
      { type: 'acknowledgement', date: '2022-01-20', form: 'written_request_for_time' },
      { type: 'acknowledgement', date: '2023-11-08', form: 'partial_payment' },
    ];
    expect(lastDay('commercial', due, events, today)).toBe('2029-06-15');
  });

  test('an acknowledgement dated after today has not happened yet and changes nothing', () => {
    const events: PrescriptionEvent[] = [{ type: 'acknowledgement', date: '2024-06-15', form: 'partial_payment' }];
    expect(lastDay('commercial', due, events, '2024-06-14')).toBe('2025-03-31');
    expect(lastDay('commercial', due, events, '2024-06-15')).toBe('2029-06-15');
  });

  test('Code civil 2240 — an acknowledgement on the last day still interrupts; the day after it revives nothing', () => {
    const onLastDay: PrescriptionEvent[] = [{ type: 'acknowledgement', date: '2025-03-31', form: 'partial_payment' }];
    expect(lastDay('commercial', due, onLastDay, today)).toBe('2030-03-31');

    const afterBar: PrescriptionEvent[] = [{ type: 'acknowledgement', date: '2025-04-01', form: 'partial_payment' }];
    const result = invoicePrescription(invoice(due), 'commercial', afterBar, today);
    expect(result).toMatchObject({ lastEnforceableDay: '2025-03-31', prescribed: true });
    expect(result.basis).toContain('came after the bar');
  });

  test('an acknowledgement before the due date cannot shorten the period that starts on the due date', () => {
    const early: PrescriptionEvent[] = [{ type: 'acknowledgement', date: '2020-01-15', form: 'installment_plan' }];
    expect(lastDay('commercial', due, early, '2021-01-01')).toBe('2025-03-31');
  });

  test('a mise en demeure does not interrupt (Code civil 2240-2244 list it nowhere)', () => {
    const notices: PrescriptionEvent[] = [
      { type: 'formal_notice', date: '2024-12-01' },
      { type: 'formal_notice', date: '2025-03-01', invoiceNumber: 'F-1' },
    ];
    const withNotices = invoicePrescription(invoice(due), 'commercial', notices, today);
    expect(withNotices).toMatchObject({ lastEnforceableDay: '2025-03-31', prescribed: true });
    expect(withNotices).toEqual(invoicePrescription(invoice(due), 'commercial', [], today));
  });
});

describe('which invoices an event concerns', () => {
  const claim = claimOf([invoice('2023-01-10', { number: 'F-1' }), invoice('2023-02-10', { number: 'F-2' })]);
  const today = '2025-06-01';

  test('Code civil 2240 — a partial payment allocated to one invoice interrupts that invoice only', () => {
    const events: PrescriptionEvent[] = [
      { type: 'acknowledgement', date: '2024-05-02', form: 'partial_payment', invoiceNumber: 'F-2' },
    ];
    const [first, second] = claimPrescription(claim, 'consumer', events, today).invoices;
    expect(first).toMatchObject({ invoiceNumber: 'F-1', lastEnforceableDay: '2025-01-10', prescribed: true });
    expect(second).toMatchObject({ invoiceNumber: 'F-2', lastEnforceableDay: '2026-05-02', prescribed: false });
  });

  test('Code civil 2240 — an acknowledgement of the whole debt (installment plan) interrupts every invoice', () => {
    const events: PrescriptionEvent[] = [{ type: 'acknowledgement', date: '2024-05-02', form: 'installment_plan' }];
    const result = claimPrescription(claim, 'consumer', events, today);
    expect(result.invoices.map((one) => one.lastEnforceableDay)).toEqual(['2026-05-02', '2026-05-02']);
    expect(result.prescribed).toBe(false);
  });

  test('an event naming an invoice that is not in the claim interrupts none', () => {
    const events: PrescriptionEvent[] = [
      { type: 'acknowledgement', date: '2024-05-02', form: 'partial_payment', invoiceNumber: 'F-9' },
    ];
    const result = claimPrescription(claim, 'consumer', events, today);
    expect(result.invoices.map((one) => one.lastEnforceableDay)).toEqual(['2025-01-10', '2025-02-10']);
  });
});

describe('suspension during mediation or conciliation (Code civil 2238)', () => {
  // Consumer, due 2023-01-10: last enforceable day 2025-01-10 without events.
  const due = '2023-01-10';

  test('Code civil 2238 — the days suspended are added to the period', () => {
    // 2024-03-01 to 2024-04-10 is 40 days; 2025-01-10 + 40 days = 2025-02-19.
    const events: PrescriptionEvent[] = [{ type: 'suspension', from: '2024-03-01', to: '2024-04-10' }];
    const result = invoicePrescription(invoice(due), 'consumer_goods_services', events, '2025-02-19');
    expect(result).toMatchObject({ lastEnforceableDay: '2025-02-19', prescribed: false });
    expect(result.basis).toContain('Code civil 2238');
    expect(prescribed('consumer_goods_services', due, events, '2025-02-20')).toBe(true);
  });

  test('Code civil 2238 — never less than 6 months after mediation ends', () => {
    // 19 days added would give 2025-01-29, but the mediation ended on 2024-12-20: 6 months from then.
    const events: PrescriptionEvent[] = [{ type: 'suspension', from: '2024-12-01', to: '2024-12-20' }];
    expect(lastDay('consumer_goods_services', due, events, '2025-01-01')).toBe('2025-06-20');
    expect(prescribed('consumer_goods_services', due, events, '2025-06-20')).toBe(false);
    expect(prescribed('consumer_goods_services', due, events, '2025-06-21')).toBe(true);
  });

  test('Code civil 2238 — six months from 31 August end on 28 February', () => {
    const events: PrescriptionEvent[] = [{ type: 'suspension', from: '2024-12-20', to: '2025-08-31' }];
    // 254 days suspended: 2025-01-10 + 254 days = 2025-09-21, earlier than 2026-02-28.
    expect(lastDay('consumer_goods_services', due, events, '2025-09-01')).toBe('2026-02-28');
  });

  test('Code civil 2238 — while an open-ended mediation runs, the claim cannot become time-barred before the long stop', () => {
    // Code civil 2232 caps suspensions too: 20 years from 2023-01-10, the day the right arose.
    const events: PrescriptionEvent[] = [{ type: 'suspension', from: '2024-12-01' }];
    const result = claimPrescription(claimOf([invoice(due)]), 'consumer', events, '2027-06-01');
    expect(result.invoices[0]).toMatchObject({ lastEnforceableDay: '2043-01-10', prescribed: false, alertDue: false });
    expect(result).toMatchObject({ date: '2043-01-10', prescribed: false, alertDue: false });
  });

  test('Code civil 2238 and 2232 al. 2 — after a court action, an open-ended mediation leaves no last day at all', () => {
    const events: PrescriptionEvent[] = [
      { type: 'court_action', date: '2024-06-01' },
      { type: 'suspension', from: '2024-12-01' },
    ];
    const result = claimPrescription(claimOf([invoice(due)]), 'consumer', events, '2050-06-01');
    expect(result.invoices[0]).toMatchObject({ lastEnforceableDay: null, prescribed: false, alertDue: false });
    expect(result).toMatchObject({ date: null, prescribed: false, alertDue: false, alertFrom: null });
  });

  test('a mediation that starts after today has not happened yet', () => {
    const events: PrescriptionEvent[] = [{ type: 'suspension', from: '2024-09-01' }];
    expect(lastDay('consumer_goods_services', due, events, '2024-08-31')).toBe('2025-01-10');
    expect(lastDay('consumer_goods_services', due, events, '2024-09-01')).toBe('2043-01-10');
  });

  test('Code civil 2238 — a mediation that starts after the bar revives nothing', () => {
    const events: PrescriptionEvent[] = [{ type: 'suspension', from: '2025-01-11' }];
    expect(lastDay('consumer_goods_services', due, events, '2025-03-01')).toBe('2025-01-10');
  });

  test('a mediation running today with an agreed end date counts up to that end date', () => {
    // 2024-12-01 to 2025-03-01 is 90 days: 2025-01-10 + 90 = 2025-04-10; 6 months after the end: 2025-09-01.
    const events: PrescriptionEvent[] = [{ type: 'suspension', from: '2024-12-01', to: '2025-03-01' }];
    expect(lastDay('consumer_goods_services', due, events, '2025-01-15')).toBe('2025-09-01');
  });

  test('Code civil 2231 and 2238 — an acknowledgement during a mediation starts a new period held until it ends', () => {
    // New 2-year period from 2024-04-01, not running before 2024-06-01: it ends on 2026-06-01.
    const events: PrescriptionEvent[] = [
      { type: 'suspension', from: '2024-03-01', to: '2024-06-01' },
      { type: 'acknowledgement', date: '2024-04-01', form: 'written_acknowledgement' },
    ];
    expect(lastDay('consumer_goods_services', due, events, '2024-07-01')).toBe('2026-06-01');
  });

  test('Code civil 2238 — overlapping mediations hold the period until the last one ends', () => {
    // Held from 2024-03-01 to 2024-05-31 (91 days): 2025-01-10 + 91 days = 2025-04-11.
    const events: PrescriptionEvent[] = [
      { type: 'suspension', from: '2024-03-01', to: '2024-04-30' },
      { type: 'suspension', from: '2024-04-15', to: '2024-05-31' },
    ];
    expect(lastDay('consumer_goods_services', due, events, '2024-07-01')).toBe('2025-04-11');
  });

  test('Code civil 2238 — a mediation begun before the due date only holds the period from the due date', () => {
    // Held from 2023-01-10 (not 2022-12-01) to 2023-02-09: 30 days, so 2025-01-10 + 30 days = 2025-02-09.
    const events: PrescriptionEvent[] = [{ type: 'suspension', from: '2022-12-01', to: '2023-02-09' }];
    expect(lastDay('consumer_goods_services', due, events, '2024-07-01')).toBe('2025-02-09');
  });

  test('a suspension that ends before it starts is refused', () => {
    const events: PrescriptionEvent[] = [{ type: 'suspension', from: '2024-03-01', to: '2024-02-01' }];
    expect(() => lastDay('consumer_goods_services', due, events, '2024-07-01')).toThrow(RangeError);
  });
});

describe('20-year long stop (Code civil 2232)', () => {
  // Commercial, issued 2000-01-01 (the right arose then at the latest), due 2000-01-31.
  // Long stop: 2020-01-01. The acknowledgements below would otherwise carry it to 2023-01-01.
  const old = invoice('2000-01-31', { issueDate: '2000-01-01' });
  const acknowledgements: PrescriptionEvent[] = ['2004-06-01', '2009-01-01', '2013-06-01'].map((date) => ({
    type: 'acknowledgement',
    date,
    form: 'partial_payment',
  }));

  test('Code civil 2232 — 20-year cap from when the right arose, whatever the acknowledgements', () => {
    const events: PrescriptionEvent[] = [
      ...acknowledgements,
      { type: 'acknowledgement', date: '2018-01-01', form: 'partial_payment' },
    ];
    const onCap = invoicePrescription(old, 'commercial', events, '2020-01-01');
    expect(onCap).toMatchObject({ lastEnforceableDay: '2020-01-01', longStopDay: '2020-01-01', prescribed: false });
    expect(onCap.basis).toContain('Code civil 2232');
    expect(invoicePrescription(old, 'commercial', events, '2020-01-02').prescribed).toBe(true);
  });

  test('Code civil 2232 — even a mediation still running does not carry the claim past 20 years', () => {
    const events: PrescriptionEvent[] = [...acknowledgements, { type: 'suspension', from: '2017-06-01' }];
    expect(invoicePrescription(old, 'commercial', events, '2020-01-02')).toMatchObject({
      lastEnforceableDay: '2020-01-01',
      prescribed: true,
    });
  });

  test.each(['court_action', 'enforcement_measure'] as const)(
    'Code civil 2232 al. 2 — 20-year cap, not after %s (2241 al. 1, 2244)',
    (type) => {
      const events: PrescriptionEvent[] = [...acknowledgements, { type, date: '2018-01-01' }];
      expect(invoicePrescription(old, 'commercial', events, '2022-12-31')).toMatchObject({
        lastEnforceableDay: '2023-01-01',
        longStopDay: null,
        prescribed: false,
      });
    },
  );

  test('Code civil 2232 — an acknowledgement after the long stop revives nothing', () => {
    const events: PrescriptionEvent[] = [
      ...acknowledgements,
      { type: 'acknowledgement', date: '2018-01-01', form: 'partial_payment' },
      { type: 'acknowledgement', date: '2020-06-01', form: 'written_acknowledgement' },
    ];
    expect(invoicePrescription(old, 'commercial', events, '2021-01-01').prescribed).toBe(true);
  });
});

describe('the claim as a whole and the alert', () => {
  const claim = claimOf([invoice('2023-01-10', { number: 'E-1' }), invoice('2023-07-10', { number: 'E-2' })]);

  test('R1 — a claim part of which is time-barred is handled as prescribed; date is the next bar among the rest', () => {
    expect(claimPrescription(claim, 'consumer', [], '2025-03-01')).toMatchObject({
      prescribed: true,
      allPrescribed: false,
      date: '2025-07-10',
      alertDue: false,
      alertFrom: null,
    });
  });

  test('R1 — before any bar the date is the first one; once all are barred it is the earliest', () => {
    expect(claimPrescription(claim, 'consumer', [], '2024-01-01')).toMatchObject({
      prescribed: false,
      allPrescribed: false,
      date: '2025-01-10',
    });
    expect(claimPrescription(claim, 'consumer', [], '2025-07-11')).toMatchObject({
      prescribed: true,
      allPrescribed: true,
      date: '2025-01-10',
    });
  });

  test('R1 [default] — the alert is due 90 days before the bar, not a day earlier', () => {
    // 2030-10-31 minus 90 days is 2030-08-02.
    const single = claimOf([invoice('2025-10-31')]);
    expect(alertDate('2030-10-31')).toBe('2030-08-02');
    expect(claimPrescription(single, 'business', [], '2030-08-01')).toMatchObject({
      alertDue: false,
      alertFrom: '2030-08-02',
    });
    expect(claimPrescription(single, 'business', [], '2030-08-02').alertDue).toBe(true);
    expect(claimPrescription(single, 'business', [], '2030-08-02').invoices[0]?.alertDue).toBe(true);
    expect(claimPrescription(single, 'business', [], '2030-10-31').alertDue).toBe(true);
    expect(claimPrescription(single, 'business', [], '2030-11-01').alertDue).toBe(false);
  });

  test('R1 [default] — the alert delay is configurable', () => {
    const single = claimOf([invoice('2025-10-31')]);
    const result = claimPrescription(single, 'business', [], '2030-09-30', { alertDays: 30 });
    expect(result).toMatchObject({ alertFrom: '2030-10-01', alertDue: false });
    expect(() => claimPrescription(single, 'business', [], '2030-09-30', { alertDays: -1 })).toThrow(RangeError);
  });

  test('a malformed today is a programming error, not a silent answer', () => {
    expect(() => claimPrescription(claim, 'consumer', [], '2025-02-30')).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties

const NUM_RUNS = 300;
const EPOCH = '2000-01-01';
const SPAN_DAYS = 30 * 365;

const dayArb = fc.integer({ min: 0, max: SPAN_DAYS }).map((offset) => addDays(EPOCH, offset));
const invoiceNumberArb = fc.constantFrom('F-1', 'F-2', undefined);
const claimTypeArb = fc.constantFrom<ClaimType>('consumer_goods_services', 'commercial', 'civil', 'residential_rent');

function scoped<T extends object>(event: T, invoiceNumber: string | undefined): T & { invoiceNumber?: string } {
  return invoiceNumber === undefined ? event : { ...event, invoiceNumber };
}

const acknowledgementArb: fc.Arbitrary<PrescriptionEvent> = fc
  .tuple(dayArb, fc.constantFrom(...ACKNOWLEDGEMENT_FORMS), invoiceNumberArb)
  .map(([date, form, number]) => scoped({ type: 'acknowledgement' as const, date, form }, number));

const interruptionArb: fc.Arbitrary<PrescriptionEvent> = fc.oneof(
  acknowledgementArb,
  fc
    .tuple(dayArb, fc.constantFrom('court_action' as const, 'enforcement_measure' as const), invoiceNumberArb)
    .map(([date, type, number]) => scoped({ type, date }, number)),
);

const suspensionArb: fc.Arbitrary<PrescriptionEvent> = fc
  .tuple(dayArb, fc.option(fc.integer({ min: 0, max: 800 }), { freq: 4 }), invoiceNumberArb)
  .map(([from, length, number]) =>
    scoped({ type: 'suspension' as const, from, ...(length === null ? {} : { to: addDays(from, length) }) }, number),
  );

const formalNoticeArb: fc.Arbitrary<PrescriptionEvent> = fc
  .tuple(dayArb, invoiceNumberArb)
  .map(([date, number]) => scoped({ type: 'formal_notice' as const, date }, number));

const eventsArb = fc.array(fc.oneof(interruptionArb, suspensionArb, formalNoticeArb), { maxLength: 6 });

const invoiceArb = (number: string): fc.Arbitrary<Invoice> =>
  fc
    .tuple(dayArb, fc.integer({ min: 0, max: 90 }), fc.option(fc.integer({ min: -60, max: 60 })))
    .map(([dueDate, issuedBefore, performanceShift]) => ({
      number,
      issueDate: addDays(dueDate, -issuedBefore),
      dueDate,
      amountCents: 10_000,
      ...(performanceShift === null ? {} : { performanceDate: addDays(dueDate, performanceShift) }),
    }));

const claimArb: fc.Arbitrary<Claim> = fc
  .tuple(invoiceArb('F-1'), fc.option(invoiceArb('F-2')), fc.option(claimTypeArb))
  .map(([first, second, type]) => ({
    nature: 'Maintenance',
    basis: 'Bon de commande BC-778',
    currency: 'EUR',
    invoices: second === null ? [first] : [first, second],
    ...(type === null ? {} : { type }),
  }));

const debtorKindArb = fc.constantFrom('consumer' as const, 'business' as const);

/** Null means "cannot become barred while it lasts": later than any date. */
function notEarlier(later: CalendarDate | null, earlier: CalendarDate | null): boolean {
  if (later === null) return true;
  if (earlier === null) return false;
  return compareDates(later, earlier) >= 0;
}

function invoicesOf(
  claim: Claim,
  kind: 'consumer' | 'business',
  events: PrescriptionEvent[],
  today: string,
): InvoicePrescription[] {
  return claimPrescription(claim, kind, events, today).invoices;
}

describe('properties', () => {
  test('Code civil 2240 — adding an acknowledgement never makes a claim prescribed earlier', () => {
    fc.assert(
      fc.property(claimArb, debtorKindArb, eventsArb, acknowledgementArb, dayArb, (claim, kind, events, ack, today) => {
        const before = claimPrescription(claim, kind, events, today);
        const after = claimPrescription(claim, kind, [...events, ack], today);
        if (after.prescribed) expect(before.prescribed).toBe(true);
        after.invoices.forEach((invoiceAfter, index) => {
          if (invoiceAfter.prescribed) expect(before.invoices[index]?.prescribed).toBe(true);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('a mise en demeure never changes anything (Code civil 2240-2244 list it nowhere)', () => {
    fc.assert(
      fc.property(
        claimArb,
        debtorKindArb,
        eventsArb,
        fc.array(formalNoticeArb, { minLength: 1, maxLength: 3 }),
        fc.nat(6),
        dayArb,
        (claim, kind, events, notices, at, today) => {
          const withNotices = [...events.slice(0, at), ...notices, ...events.slice(at)];
          expect(claimPrescription(claim, kind, withNotices, today)).toEqual(
            claimPrescription(claim, kind, events, today),
          );
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('Code civil 2231 — more interruptions give the same or a later last enforceable day', () => {
    fc.assert(
      fc.property(claimArb, debtorKindArb, eventsArb, interruptionArb, dayArb, (claim, kind, events, extra, today) => {
        const before = invoicesOf(claim, kind, events, today);
        const after = invoicesOf(claim, kind, [...events, extra], today);
        after.forEach((invoiceAfter, index) => {
          const invoiceBefore = before[index];
          expect(invoiceBefore).toBeDefined();
          expect(notEarlier(invoiceAfter.lastEnforceableDay, invoiceBefore?.lastEnforceableDay ?? null)).toBe(true);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('Code civil 2238 — a mediation never brings the last enforceable day forward', () => {
    fc.assert(
      fc.property(claimArb, debtorKindArb, eventsArb, suspensionArb, dayArb, (claim, kind, events, extra, today) => {
        const before = invoicesOf(claim, kind, events, today);
        const after = invoicesOf(claim, kind, [...events, extra], today);
        after.forEach((invoiceAfter, index) => {
          expect(notEarlier(invoiceAfter.lastEnforceableDay, before[index]?.lastEnforceableDay ?? null)).toBe(true);
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('Code civil 2229 — once barred, a claim stays barred as time passes (absent new events)', () => {
    fc.assert(
      fc.property(
        claimArb,
        debtorKindArb,
        eventsArb,
        dayArb,
        fc.integer({ min: 1, max: 4000 }),
        (claim, kind, events, today, later) => {
          const then = claimPrescription(claim, kind, events, today);
          const afterwards = claimPrescription(claim, kind, events, addDays(today, later));
          if (then.prescribed) expect(afterwards.prescribed).toBe(true);
          then.invoices.forEach((invoiceThen, index) => {
            if (invoiceThen.prescribed) expect(afterwards.invoices[index]?.prescribed).toBe(true);
          });
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('Code civil 2229 — prescribed exactly when today is after the last enforceable day', () => {
    fc.assert(
      fc.property(claimArb, debtorKindArb, eventsArb, dayArb, (claim, kind, events, today) => {
        for (const one of invoicesOf(claim, kind, events, today)) {
          const afterLastDay = one.lastEnforceableDay !== null && compareDates(today, one.lastEnforceableDay) > 0;
          expect(one.prescribed).toBe(afterLastDay);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
