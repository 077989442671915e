/**
 * The journal is evidence handed to a commissaire de justice: French, amounts in euros, instants
 * in Paris time. And the case never decides, defers or journals a message on a channel the debtor
 * has no address on (domain/case/reachability.ts). Expected texts are written out by hand.
 */
import {
  applyCallOutcome,
  applyDispute,
  applyPause,
  applyPayment,
  applyPromise,
  applyReply,
} from '../../domain/case/actions';
import { applyChannelClosed } from '../../domain/case/channel-events';
import type { CaseEffect, JournalNote } from '../../domain/case/effects';
import { advance, nextActionOf, recordContactResult } from '../../domain/case/progress';
import { reachableChannelsOf, stepChannels } from '../../domain/case/reachability';
import { initialCaseState } from '../../domain/case/state';
import { caseSummary } from '../../domain/case/view';
import { normalizeSpaces } from '../../domain/money';
import type { Channel } from '../../domain/types';
import { caseInputOf, contactsOf, manager, OPENING, paris } from '../helpers/case-fixture';

const caseInput = caseInputOf('c_words', 500000);

const notesOf = (effects: CaseEffect[]): JournalNote[] =>
  effects.flatMap((effect) => (effect.kind === 'journal' ? [effect.note] : []));
const summariesOf = (effects: CaseEffect[]) => notesOf(effects).map((note) => normalizeSpaces(note.summary));

/** What no journal line may contain: raw cents, a UTC ISO instant, an ISO day, an English channel or status. */
const NOT_EVIDENCE = [/centimes/, /\d{4}-\d{2}-\d{2}/, /\b(email|sms|letter|call|sent|failed|blocked|opted_out)\b/];

function expectEvidenceWording(summary: string): void {
  for (const pattern of NOT_EVIDENCE) expect(summary).not.toMatch(pattern);
}

describe('journal wording: French, euros, Paris time', () => {
  test('a promise states its amount in euros and its date as a French date', () => {
    const state = initialCaseState(caseInput());
    const effects = applyPromise(state, { amountCents: 420000, promisedDate: '2027-02-20' }, OPENING, manager);
    expect(summariesOf(effects)).toEqual(['Promesse de 4 200,00 € pour le 20/02/2027']);
  });

  test('a payment states its amount, its day and any overpayment in euros', () => {
    const state = initialCaseState(caseInput());
    const partial = applyPayment(
      state,
      { reference: 'VIR-1', amountCents: 150050, paidAt: '2027-01-31' },
      OPENING,
      manager,
    );
    expect(summariesOf(partial)).toEqual(['Paiement VIR-1 de 1 500,50 € du 31/01/2027']);
    const over = applyPayment(
      state,
      { reference: 'VIR-2', amountCents: 400000, paidAt: '2027-02-01' },
      OPENING,
      manager,
    );
    // R3: the overpayment is what exceeds everything owed that day, the €40 indemnity and the
    // penalties accrued included (185000 principal − 150050 paid = 34950, + 4449 of accessories).
    expect(summariesOf(over)[0]).toBe('Paiement VIR-2 de 4 000,00 € du 01/02/2027 (trop-perçu : 456,01 €)');
  });

  test('a deferred message names its channel in French and its slot in Paris time', () => {
    const state = initialCaseState(caseInput({}, '2027-01-29'));
    // Reminder 1 of the standard policy is due 3 days after the due date: Monday 1 February, 09:00 is before the window.
    const effects = advance(state, OPENING);
    const deferral = notesOf(effects).find((note) => note.type === 'message_deferred')!;
    // The window opens at 10:00; c_words goes 42′ after an opening (domain/case/opening-spread.ts).
    expect(normalizeSpaces(deferral.summary)).toBe('e-mail reporté au 01/02/2027 à 10:42 (hors des heures autorisées)');
    // Summer time too: 10:42 in Paris is 08:42 UTC in July.
    const summer = initialCaseState(caseInput({ openedAt: paris('2027-07-05T08:00') }, '2027-07-02'));
    const summerNote = notesOf(advance(summer, paris('2027-07-05T08:00'))).find((n) => n.type === 'message_deferred')!;
    expect(normalizeSpaces(summerNote.summary)).toBe(
      'e-mail reporté au 05/07/2027 à 10:42 (hors des heures autorisées)',
    );
  });

  test('replies, calls, pauses and closed channels speak French with Paris dates', () => {
    const state = initialCaseState(caseInput());
    const reply = applyReply(state, { channel: 'email', message: 'sealed:x' }, OPENING, manager);
    // The standard policy holds the sequence 5 days: until Saturday 6 February, 09:00 in Paris.
    expect(summariesOf(reply)).toEqual([
      "Réponse reçue (e-mail) ; relances automatiques suspendues jusqu'au 06/02/2027",
    ]);
    state.callTasks.push({ id: 't1', reason: 'reminder_2', dueAt: OPENING, status: 'open' });
    const call = applyCallOutcome(
      state,
      { taskId: 't1', outcome: 'callback_requested', agentId: 'a1', callbackAt: '2027-02-03T13:30:00.000Z' },
      OPENING,
    );
    expect(summariesOf(call)).toEqual(['Appel : rappel demandé ; rappel prévu le 03/02/2027 à 14:30']);
    const closed = applyChannelClosed(
      state,
      { channel: 'sms', why: 'invalid_recipient', providerEventId: 'twilio:e1' },
      OPENING,
    );
    expect(summariesOf(closed)[0]).toBe('SMS fermé : le numéro ou l’adresse est invalide (événement twilio:e1)');
    const paused = applyPause(state, { reason: 'sealed:r', until: '2027-03-01T08:00:00.000Z' }, OPENING, manager);
    expect(summariesOf(paused)).toEqual(["Dossier suspendu jusqu'au 01/03/2027 à 09:00"]);
    for (const summary of [
      ...summariesOf(reply),
      ...summariesOf(call),
      ...summariesOf(closed),
      ...summariesOf(paused),
    ]) {
      expectEvidenceWording(summary);
    }
  });

  test('a formal notice the provider refused is paused in French, never with an English status', () => {
    const state = initialCaseState(caseInput());
    const effects = recordContactResult(
      state,
      { stage: 'formal_notice', channel: 'letter', notBefore: OPENING },
      { status: 'failed' },
      OPENING,
    );
    const summaries = summariesOf(effects);
    expect(summaries).toEqual(['Mise en demeure non envoyée (courrier en échec) : dossier suspendu pour examen']);
    summaries.forEach(expectEvidenceWording);
  });
});

describe('the summary of a case names what really comes next', () => {
  // Invoice due 31 October 2026: a commercial claim is barred after 5 years, the alert comes 90 days before.
  test('a disputed case shows no reminder, only its prescription alert', () => {
    const state = initialCaseState(caseInput({}, '2026-10-31'));
    applyDispute(state, { reason: 'sealed:reason' }, OPENING, manager);
    const next = nextActionOf(state, OPENING);
    expect(next?.type).toBe('prescription_alert');
    const summary = caseSummary(state, OPENING);
    expect(summary).not.toMatch(/relance \d|dernière relance/);
    expect(summary).toBe(
      'Contestation le 01/02/2027 — créance contestée : aucune relance jusqu’à décision d’un responsable ; ' +
        'prochaine étape : alerte de prescription le 02/08/2031',
    );
  });

  test('an active case still names its next reminder', () => {
    const state = initialCaseState(caseInput());
    expect(caseSummary(state, OPENING)).toBe('Dossier ouvert — prochaine étape : relance 1 le 01/02/2027');
  });
});

describe('channels the debtor cannot be reached on', () => {
  const phoneOnly: Channel[] = ['sms', 'call'];

  test('intake derives the reachable channels from the contact details, blank ones counting as absent', () => {
    expect(reachableChannelsOf({ phone: '+33612345678' })).toEqual(['sms', 'call']);
    expect(reachableChannelsOf({ email: 'a@b.example', phone: ' ', address: '1 rue X' })).toEqual(['email', 'letter']);
    expect(reachableChannelsOf({})).toEqual([]);
  });

  test('a consumer with only a phone gets reminder 1 by SMS, journaled once, never an e-mail', () => {
    const state = initialCaseState(caseInput({ debtorKind: 'consumer', reachableChannels: phoneOnly }));
    const at = paris('2027-02-01T11:00');
    const effects = advance(state, at);
    expect(contactsOf(effects).map((contact) => `${contact.stage}/${contact.channel}`)).toEqual(['reminder_1/sms']);
    expect(notesOf(effects).map((note) => [note.type, normalizeSpaces(note.summary)])).toEqual([
      ['message_channel_substituted', 'relance 1 prévue par SMS (aucune adresse e-mail connue)'],
    ]);
    expect(notesOf(effects).some((note) => note.channel === 'email')).toBe(false);
  });

  test('deferral of the substitute speaks of the SMS, not of an e-mail', () => {
    const state = initialCaseState(caseInput({ debtorKind: 'consumer', reachableChannels: phoneOnly }));
    const summaries = summariesOf(advance(state, OPENING));
    expect(summaries).toEqual([
      'relance 1 prévue par SMS (aucune adresse e-mail connue)',
      'SMS reporté au 01/02/2027 à 10:42 (hors des heures autorisées)',
    ]);
    expect(summaries.join(' ')).not.toMatch(/e-mail reporté/);
  });

  test('with no written channel at all the reminder is journaled as not sent, once', () => {
    const state = initialCaseState(caseInput({ reachableChannels: [] }));
    const effects = advance(state, paris('2027-02-01T11:00'));
    expect(contactsOf(effects)).toEqual([]);
    expect(summariesOf(effects)).toEqual([
      'relance 1 non envoyée : aucun canal écrit pour joindre le débiteur (aucune adresse e-mail connue, ' +
        'aucun numéro de téléphone connu, aucune adresse postale connue)',
    ]);
  });

  test('a step on SMS and call for a debtor with only an e-mail goes by e-mail, and says no call is planned', () => {
    const state = initialCaseState(caseInput({ reachableChannels: ['email', 'letter'] }));
    const step = { stage: 'reminder_2' as const, channels: ['sms', 'call'] as Channel[] };
    expect(stepChannels(state, step)).toEqual({
      channels: ['email'],
      unreachable: ['sms', 'call'],
      substitute: 'email',
      noWrittenChannel: false,
    });
  });

  test('an opted-out channel is no substitute', () => {
    const state = initialCaseState(caseInput({ reachableChannels: ['sms', 'letter', 'call'] }));
    state.optedOut.push('sms');
    expect(stepChannels(state, { stage: 'reminder_1', channels: ['email'] }).substitute).toBe('letter');
  });

  test('without a postal address the mise en demeure is not sent: the case is paused for a person', () => {
    const state = initialCaseState(caseInput({ reachableChannels: ['email', 'sms', 'call'] }));
    state.nextStepIndex = 3; // formal_notice of the standard policy
    state.nextStepOn = '2027-02-01';
    const effects = advance(state, paris('2027-02-01T11:00'));
    expect(contactsOf(effects)).toEqual([]);
    expect(state.status).toBe('paused');
    expect(effects).toContainEqual({
      kind: 'alert',
      alert: 'formal_notice_failed',
      message:
        'Mise en demeure non envoyée (lettre recommandée impossible : aucune adresse postale connue) : dossier suspendu pour examen',
    });
  });

  test('a case opened before intake told its channels reaches every channel, as before', () => {
    const state = initialCaseState(caseInput());
    const effects = advance(state, paris('2027-02-01T11:00'));
    expect(contactsOf(effects).map((contact) => contact.channel)).toEqual(['email']);
    expect(notesOf(effects)).toEqual([]);
  });
});
