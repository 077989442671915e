import { isOptOutKeyword } from '../../api/webhooks/inbound-events';

describe('isOptOutKeyword', () => {
  test.each([
    'STOP',
    'stop',
    'Stop',
    ' Stop. ',
    'STOP!!!',
    '\nstop\n',
    'STOPALL',
    'stop all',
    'ARRET',
    'arret',
    'ARRÊT',
    'Arrêt !',
    // "Ê" written as E + combining circumflex, as some phones send it.
    'ARRE\u0302T',
    'UNSUBSCRIBE',
    'unsubscribe.',
    'Cancel',
    'END',
    'end.',
    'quit',
    'STOP SMS',
    'stop sms',
    'Stop-SMS',
    'STOPSMS',
    'Arrêt SMS',
    'ARRETSMS',
    '«STOP»',
  ])('%j is an opt-out', (body) => {
    expect(isOptOutKeyword(body)).toBe(true);
  });

  test.each([
    '',
    '   ',
    '...',
    // Whole message only: these carry something a person must read (a promise, a dispute).
    'je ne peux pas stopper',
    'stop appeler svp je paie demain',
    'STOP je conteste cette dette',
    'please stop',
    'stop stop',
    'stopper',
    'arrête',
    'arretez',
    'the end',
    'ending',
    "j'ai payé",
    'oui',
    // Letters are not joined across separators.
    's.t.o.p',
    'S T O P',
  ])('%j is not an opt-out', (body) => {
    expect(isOptOutKeyword(body)).toBe(false);
  });
});
