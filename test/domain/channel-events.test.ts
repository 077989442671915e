/**
 * What provider events do to a case (domain/case/channel-events.ts): they arrive late, twice, or
 * after the case closed, and each rule must give the same result however often it is applied.
 */
import { applyChannelClosed, applyDebtorWrote, applyFormalNoticeReceived } from '../../domain/case/channel-events';
import type { CaseEffect } from '../../domain/case/effects';
import { advance } from '../../domain/case/progress';
import { initialCaseState } from '../../domain/case/state';
import type { CaseInput, CaseState, SealedText } from '../../domain/case/types';

const OPENING = '2027-02-01T08:00:00.000Z'; // Monday, 09:00 in Paris
const LATER = '2027-02-03T10:00:00.000Z';
const sealed = 'sealed:v1:abc' as SealedText;

function caseState(): CaseState {
  const input: CaseInput = {
    caseId: 'c_events',
    reference: 'INV-1',
    creditorId: 'acme',
    debtorKind: 'business',
    policyId: 'standard',
    currency: 'EUR',
    invoices: [{ number: 'F-1', issueDate: '2026-12-30', dueDate: '2027-01-29', amountCents: 185000 }],
    openedAt: OPENING,
  };
  return initialCaseState(input);
}

const kinds = (effects: CaseEffect[]) =>
  effects.map((effect) => (effect.kind === 'journal' ? `journal:${effect.note.type}` : effect.kind));

describe('a channel closed by the provider (bounce, invalid number, opt-out)', () => {
  test('closes the channel once and journals why, naming the provider event', () => {
    const state = caseState();
    const effects = applyChannelClosed(state, { channel: 'email', why: 'bounced', providerEventId: 'sg:1' }, LATER);
    expect(state.optedOut).toEqual(['email']);
    expect(kinds(effects)).toEqual(['journal:channel_closed']);
    const [note] = effects as [Extract<CaseEffect, { kind: 'journal' }>];
    expect(note.note).toMatchObject({ channel: 'email', actor: { role: 'system' } });
    expect(note.note.summary).toContain('sg:1');
  });

  test('the same event delivered again changes nothing', () => {
    const state = caseState();
    applyChannelClosed(state, { channel: 'sms', why: 'opted_out', providerEventId: 'tw:1' }, LATER);
    const again = applyChannelClosed(state, { channel: 'sms', why: 'opted_out', providerEventId: 'tw:1' }, LATER);
    expect(again).toEqual([]);
    expect(state.optedOut).toEqual(['sms']);
  });

  test('an opt-out is the debtor’s act; a bounce is the system’s', () => {
    const optOut = applyChannelClosed(caseState(), { channel: 'sms', why: 'opted_out', providerEventId: 'a' }, LATER);
    const bounce = applyChannelClosed(caseState(), { channel: 'email', why: 'bounced', providerEventId: 'b' }, LATER);
    expect((optOut[0] as Extract<CaseEffect, { kind: 'journal' }>).note.actor.role).toBe('debtor');
    expect((bounce[0] as Extract<CaseEffect, { kind: 'journal' }>).note.actor.role).toBe('system');
  });

  test('with no written channel left, a manager is alerted', () => {
    const state = caseState();
    state.optedOut.push('letter');
    applyChannelClosed(state, { channel: 'email', why: 'bounced', providerEventId: 'a' }, LATER);
    const last = applyChannelClosed(state, { channel: 'sms', why: 'invalid_recipient', providerEventId: 'b' }, LATER);
    expect(kinds(last)).toEqual(['journal:channel_closed', 'alert']);
  });

  test('a closed e-mail channel is not used by the sequence any more', () => {
    const channelsUsed = (state: CaseState) =>
      advance(state, '2027-02-01T10:00:00.000Z').flatMap((effect) =>
        effect.kind === 'contact' ? [effect.contact.channel] : [],
      );
    const closed = caseState();
    applyChannelClosed(closed, { channel: 'email', why: 'bounced', providerEventId: 'a' }, OPENING);
    // The first reminder of the standard policy goes by e-mail only.
    expect(channelsUsed(caseState())).toEqual(['email']);
    expect(channelsUsed(closed)).toEqual([]);
  });

  test('only the last hundred event ids are remembered: the state does not grow with every event', () => {
    const state = caseState();
    for (let n = 0; n < 250; n++) {
      applyDebtorWrote(state, { channel: 'sms', message: sealed, receivedAt: LATER, providerEventId: `e${n}` }, LATER);
    }
    expect(state.providerEventsSeen).toHaveLength(100);
    expect(state.providerEventsSeen?.[0]).toBe('e150');
  });
});

describe('a debtor writes back (inbound SMS)', () => {
  test('is a reply: the sequence holds, the sealed text is journaled as the debtor’s', () => {
    const state = caseState();
    const effects = applyDebtorWrote(
      state,
      { channel: 'sms', message: sealed, receivedAt: LATER, providerEventId: 'SM1' },
      LATER,
    );
    expect(state.holdUntil).not.toBeNull();
    expect(Date.parse(state.holdUntil!)).toBeGreaterThan(Date.parse(LATER));
    expect(effects).toEqual([
      {
        kind: 'journal',
        note: expect.objectContaining({
          type: 'debtor_reply',
          channel: 'sms',
          actor: { role: 'debtor' },
          sealedText: sealed,
        }),
      },
    ]);
  });

  test('the same SMS delivered twice by the provider is one reply', () => {
    const state = caseState();
    const event = { channel: 'sms' as const, message: sealed, receivedAt: LATER, providerEventId: 'SM2' };
    applyDebtorWrote(state, event, LATER);
    expect(applyDebtorWrote(state, event, LATER)).toEqual([]);
  });

  test('on a closed case it is kept as evidence without holding anything', () => {
    const state = caseState();
    state.status = 'paid';
    const effects = applyDebtorWrote(
      state,
      { channel: 'sms', message: sealed, receivedAt: LATER, providerEventId: 'SM3' },
      LATER,
    );
    expect(state.holdUntil).toBeNull();
    expect(kinds(effects)).toEqual(['journal:debtor_reply']);
  });
});

describe('the acknowledgement of receipt of a mise en demeure (R5: the deadline runs from receipt)', () => {
  function noticeSent(state: CaseState) {
    // Posted on 1 March with an assumed receipt: the letter printed 11 March as its deadline.
    state.formalNotice = { sentOn: '2027-03-01', deadline: '2027-03-11' };
    state.nextStepOn = '2027-03-12';
    return state;
  }

  test('a receipt later than assumed gives the debtor the full 8 days from it; the handoff waits', () => {
    const state = noticeSent(caseState());
    const effects = applyFormalNoticeReceived(state, { receivedOn: '2027-03-06', providerEventId: 'ar-1' }, LATER);
    expect(state.formalNotice).toEqual({ sentOn: '2027-03-01', deadline: '2027-03-14', receivedOn: '2027-03-06' });
    expect(state.nextStepOn).toBe('2027-03-15');
    expect(kinds(effects)).toEqual(['journal:formal_notice_received']);
    expect((effects[0] as Extract<CaseEffect, { kind: 'journal' }>).note.summary).toMatch(/prolongé/);
  });

  test('an earlier receipt never shortens what the letter promised', () => {
    const state = noticeSent(caseState());
    applyFormalNoticeReceived(state, { receivedOn: '2027-03-02', providerEventId: 'ar-1' }, LATER);
    expect(state.formalNotice?.deadline).toBe('2027-03-11');
    expect(state.nextStepOn).toBe('2027-03-12');
  });

  test('only the first acknowledgement counts, and none without a notice on file', () => {
    const state = noticeSent(caseState());
    applyFormalNoticeReceived(state, { receivedOn: '2027-03-04', providerEventId: 'ar-1' }, LATER);
    expect(applyFormalNoticeReceived(state, { receivedOn: '2027-03-09', providerEventId: 'ar-2' }, LATER)).toEqual([]);
    expect(state.formalNotice?.receivedOn).toBe('2027-03-04');
    const without = caseState();
    expect(applyFormalNoticeReceived(without, { receivedOn: '2027-03-04', providerEventId: 'ar-3' }, LATER)).toEqual(
      [],
    );
    expect(without.formalNotice).toBeNull();
  });
});
