/**
 * Realistic French cases and message bodies for the compliance tests. Amounts carry the narrow
 * no-break space (U+202F) and no-break space (U+00A0) that Intl's fr-FR formatting produces.
 */
import {
  MANDATORY_MENTIONS,
  type ClaimAmounts,
  type MentionId,
  type MessageContext,
  type PartyIdentity,
} from '../../../domain/compliance';

export const NNBSP = '\u202f';
export const NBSP = '\u00a0';

export const CREDITOR: PartyIdentity = { name: 'Atelier Lumière SARL', address: '14 rue des Tanneurs\n69002 Lyon' };
export const COLLECTOR: PartyIdentity = { name: 'Recouvra Conseil SAS', address: '8 boulevard Haussmann, 75009 Paris' };

export const BUSINESS_AMOUNTS: ClaimAmounts = {
  principal: `1${NNBSP}850,00${NBSP}€`,
  interest: `22,40${NBSP}€`,
  accessories: `40,00${NBSP}€`,
  total: `1${NNBSP}912,40${NBSP}€`,
};

export const CONSUMER_AMOUNTS: ClaimAmounts = {
  principal: `349,90${NBSP}€`,
  interest: `3,15${NBSP}€`,
  accessories: `0,00${NBSP}€`,
  total: `353,05${NBSP}€`,
};

export const FIRST_LETTER = { reference: 'RC-2026-00871', date: '3 mars 2026' };

export const PAYMENT_INSTRUCTIONS =
  'virement sur le compte IBAN FR76 3000 6000 0112 3456 7890 189 (BIC AGRIFRPP) ' +
  'ou paiement par carte sur https://paiement.recouvra.fr/D-5531';

export function contextWith(overrides: Partial<MessageContext> = {}): MessageContext {
  return {
    creditor: CREDITOR,
    collector: COLLECTOR,
    claim: {
      basis: 'Contrat de maintenance n° CM-2024-117 du 15 janvier 2024',
      invoiceNumbers: ['F-2025-0412', 'F-2025-0467'],
      amounts: BUSINESS_AMOUNTS,
    },
    paymentInstructions: PAYMENT_INSTRUCTIONS,
    debtorKind: 'business',
    channel: 'email',
    stage: 'reminder_1',
    timeBarred: false,
    ...overrides,
  };
}

export const FIRST_EMAIL_BY_COLLECTOR = contextWith();
export const LATER_EMAIL_BY_COLLECTOR = contextWith({ firstMessage: FIRST_LETTER, stage: 'reminder_2' });
export const FIRST_EMAIL_BY_CREDITOR = contextWith({ collector: undefined });
export const LATER_LETTER_BY_CREDITOR = contextWith({
  collector: undefined,
  firstMessage: FIRST_LETTER,
  channel: 'letter',
  stage: 'final_reminder',
});
export const FORMAL_NOTICE_LETTER = contextWith({
  firstMessage: FIRST_LETTER,
  channel: 'letter',
  stage: 'formal_notice',
  formalNoticeDeadline: '20 mars 2026',
});
export const TIME_BARRED_CONSUMER_EMAIL = contextWith({
  debtorKind: 'consumer',
  timeBarred: true,
  claim: {
    basis: 'Bon de commande n° BC-88213 du 2 février 2022, livré le 9 février 2022',
    invoiceNumbers: ['F-2022-1187'],
    amounts: CONSUMER_AMOUNTS,
  },
});

export const FULL_CHANNEL_CONTEXTS: readonly [string, MessageContext][] = [
  ['first email, collector acting', FIRST_EMAIL_BY_COLLECTOR],
  ['later email, collector acting', LATER_EMAIL_BY_COLLECTOR],
  ['first email, creditor collecting itself', FIRST_EMAIL_BY_CREDITOR],
  ['later letter, creditor collecting itself', LATER_LETTER_BY_CREDITOR],
  ['mise en demeure by letter', FORMAL_NOTICE_LETTER],
  ['time-barred consumer claim, first email', TIME_BARRED_CONSUMER_EMAIL],
];

/**
 * The courteous text around the mandatory block. It repeats none of the case's data, so removing a
 * mention from the block really removes it from the message. It also avoids the words next to which
 * an inserted phrase could form a longer forbidden one ("notre", "service", "à votre charge").
 */
export const COURTEOUS_OPENING = [
  'Madame, Monsieur,',
  "Sauf erreur, nous n'avons pas encore reçu le règlement des sommes rappelées ci-dessous. Il s'agit peut-être d'un simple oubli.",
];
export const COURTEOUS_CLOSING = [
  "Si vous rencontrez des difficultés, nous pouvons convenir ensemble d'un échéancier adapté à votre situation. Nous restons à votre disposition pour tout justificatif ou toute question.",
  'Si votre règlement nous est parvenu entre-temps, merci de ne pas tenir compte de ce message.',
  'Avec nos remerciements et nos salutations distinguées,',
  "L'équipe relation clients",
];

export function courteousEmail(
  mandatoryBlock: string,
  opening: readonly string[] = COURTEOUS_OPENING,
  closing: readonly string[] = COURTEOUS_CLOSING,
): string {
  return [...opening, mandatoryBlock, ...closing].join('\n\n');
}

export function renderMentionsExcept(context: MessageContext, removed: MentionId): string {
  return MANDATORY_MENTIONS.filter((definition) => definition.id !== removed && definition.appliesTo(context))
    .map((definition) => definition.render(context))
    .join('\n');
}

/** "1 850,00 €" as Intl's fr-FR formats it, without depending on the ICU data of the machine. */
export function frenchAmount(cents: number): string {
  const euros = Math.floor(cents / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, NNBSP);
  return `${euros},${(cents % 100).toString().padStart(2, '0')}${NBSP}€`;
}
