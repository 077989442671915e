/**
 * The mandatory mentions of a collection message (R2: CPCE R124-4; R5 for the mise en demeure; R7
 * for the first letter's data-protection notice), as data: when each applies, how we word it, and
 * how we recognise it in any template's rendered text.
 *
 * R124-4 governs letters sent by a collection company; we apply it to every case, the creditor
 * collecting itself included [default]. Mentions that only make sense when a collector acts (its
 * identity, the L111-8 quotation) apply only then.
 */
import type { Channel, DebtorKind, Stage } from '../types';
import { L111_8_PARAGRAPHS_2_AND_3, normalizeForMatching, normalizeForQuotation } from './forbidden-wording';

export { L111_8_PARAGRAPHS_2_AND_3 };

export interface PartyIdentity {
  name: string;
  /** Postal address or registered office; line breaks allowed. */
  address: string;
}

/** Amounts as the debtor reads them, already formatted (e.g. "1 850,00 €"): this module never formats money. */
export interface ClaimAmounts {
  principal: string;
  interest: string;
  /** Other accessories (for a business debtor, e.g. the €40 indemnities), never L111-8 collection costs. */
  accessories: string;
  total: string;
  /**
   * Business debtor whose creditor claims the late charges (R3): each is named on its own line, so
   * principal / interest / accessories is legible. Absent: no late charge is claimed.
   */
  lateCharges?: NamedLateCharges;
}

/** The L441-10 penalties and the D441-5 indemnity as a message names them, already formatted. */
export interface NamedLateCharges {
  /** Penalties due, e.g. "23,45 €" (the same amount as `interest`). */
  penalties: string;
  /** Annual rate in force, e.g. "12,15 %"; absent once no principal bears penalties. */
  rate?: string;
  /** How the rate is set, e.g. "taux de refinancement de la BCE majoré de 10 points". */
  rateBasis?: string;
  /** Indemnities due, e.g. "40,00 €" (the same amount as `accessories`). */
  indemnity: string;
  /** The policy gives the accessories up once the principal is paid: the message says so. */
  waivedWhenPrincipalPaid: boolean;
}

export interface MessageContext {
  creditor: PartyIdentity;
  /** The collection company acting for the creditor, if any. */
  collector?: PartyIdentity;
  claim: {
    /** What makes the claim *certaine*: contract, order, delivery proof. */
    basis: string;
    invoiceNumbers: readonly string[];
    amounts: ClaimAmounts;
  };
  /** How to pay, as the debtor reads it (IBAN, payment link, cheque address…). */
  paymentInstructions: string;
  /** The first letter of this collection, as sent; absent means this message IS the first. */
  firstMessage?: { reference: string; /** Formatted as the debtor reads it, e.g. "3 mars 2026". */ date: string };
  /** Pay-by date of a mise en demeure, formatted (e.g. "20 mars 2026"); required at stage formal_notice (R5). */
  formalNoticeDeadline?: string;
  debtorKind: DebtorKind;
  channel: Channel;
  stage: Stage;
  timeBarred: boolean;
  /**
   * Whether a mise en demeure will really follow this message (R4: nothing announces a step that
   * will not come). Set for final reminders; false forbids any mention of one. Absent: not decided.
   */
  formalNoticeFollows?: boolean;
  /** Time-barred invoices still owed, formatted: stated as payable voluntarily, never demanded (R1). */
  barredInvoices?: readonly { number: string; outstanding: string }[];
}

export const MENTION_IDS = [
  'formal_notice_title',
  'creditor_name',
  'creditor_address',
  'collector_name',
  'collector_address',
  'collector_activity',
  'claim_basis',
  'invoice_numbers',
  'claim_breakdown',
  'claim_total',
  'payment_demand',
  'formal_notice_deadline',
  'first_letter_reference',
  'l111_8_text',
  'data_controller',
  'data_purpose',
  'data_rights',
] as const;
export type MentionId = (typeof MENTION_IDS)[number];

export interface MentionDefinition {
  id: MentionId;
  article: string;
  /** Whether this message must carry the mention: the legal condition and the channel policy below. */
  appliesTo: (context: MessageContext) => boolean;
  /** The French text of the mention for this case. */
  render: (context: MessageContext) => string;
  isPresent: (text: string, context: MessageContext) => boolean;
}

/**
 * [default] Which mentions each channel must carry — change the reading here and only here.
 *
 * R124-4 describes the written letter. Email and letter carry the full set. An SMS cannot hold the
 * L111-8 quotation or the data-protection notice, and our policies only send one after an email or
 * letter that carried the full set, so it must identify who is owed (and who collects), how much,
 * for which invoices, and ask to pay and say how. A call is spoken, not written: it carries no
 * written mentions, but its script is still checked for forbidden wording.
 */
export const MENTIONS_REQUIRED_BY_CHANNEL: Readonly<Record<Channel, 'all' | readonly MentionId[]>> = {
  email: 'all',
  letter: 'all',
  sms: ['creditor_name', 'collector_name', 'claim_total', 'invoice_numbers', 'payment_demand'],
  call: [],
};

function channelCarries(channel: Channel, id: MentionId): boolean {
  const required = MENTIONS_REQUIRED_BY_CHANNEL[channel];
  return required === 'all' || required.includes(id);
}

// ---------------------------------------------------------------------------------------------
// Recognising a mention in rendered text

/** Words and numbers only: punctuation and line layout vary between templates, the data does not. */
function wordsOf(text: string): string {
  return normalizeForMatching(text)
    .replace(/[^\p{L}\p{N}€%]+/gu, ' ')
    .trim();
}

/** A blank value is never "stated": a missing name must block the message, not pass it. */
function statesValue(text: string, value: string | undefined): boolean {
  const needle = wordsOf(value ?? '');
  return needle !== '' && ` ${wordsOf(text)} `.includes(` ${needle} `);
}

function escapeForRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** "850,00 €" is not stated by "1 850,00 €": the amount must not continue a larger number. */
function amountSource(amount: string): string {
  return `(?<!\\d[ .]?)${escapeForRegExp(normalizeForMatching(amount))}(?!\\d)`;
}

function statesAmount(text: string, amount: string): boolean {
  if (normalizeForMatching(amount) === '') return false;
  return new RegExp(amountSource(amount), 'u').test(normalizeForMatching(text));
}

const AMOUNT_LABELS = { principal: 'principal', interest: 'interets?', accessories: 'accessoires?' } as const;

/** The label, then its own amount before any other label or euro sign: amounts can be equal, labels cannot. */
function statesLabelledAmount(text: string, label: string, amount: string): boolean {
  if (normalizeForMatching(amount) === '') return false;
  const gap = '(?:(?!principal|interet|accessoire|€).){0,60}?';
  return new RegExp(`(?<!\\p{L})${label}${gap}${amountSource(amount)}`, 'u').test(normalizeForMatching(text));
}

/** Some single line of the text holds every pattern (each checked on the normalized line). */
function someLineStates(text: string, patterns: readonly RegExp[]): boolean {
  return text.split(/\r?\n/u).some((line) => {
    const normalized = normalizeForMatching(line);
    return patterns.every((pattern) => pattern.test(normalized));
  });
}

function amountPattern(amount: string): RegExp {
  return new RegExp(amountSource(amount), 'u');
}

const PENALTIES_NAME = /(?<!\p{L})penalites de retard(?!\p{L})/u;
const PENALTIES_ARTICLE = /l\.? ?441-10/u;
const INDEMNITY_NAME = /(?<!\p{L})indemnite forfaitaire pour frais de recouvrement(?!\p{L})/u;
const INDEMNITY_ARTICLE = /d\.? ?441-5/u;

/**
 * R2, R3 for a business debtor: the penalties on a line of their own, named, with their amount,
 * their rate and their base (the unpaid principal); the €40 indemnity on a line of its own under its
 * legal name and articles, with its amount.
 */
function namesLateCharges(text: string, charges: NamedLateCharges): boolean {
  const penaltiesLine = [PENALTIES_NAME, PENALTIES_ARTICLE, amountPattern(charges.penalties), /principal/u];
  if (charges.rate !== undefined) penaltiesLine.push(amountPattern(charges.rate));
  const indemnityLine = [INDEMNITY_NAME, PENALTIES_ARTICLE, INDEMNITY_ARTICLE, amountPattern(charges.indemnity)];
  return someLineStates(text, penaltiesLine) && someLineStates(text, indemnityLine);
}

/** The breakdown lines of a business debtor's message (R2, R3): one line per kind of amount. */
function lateChargesLines(amounts: ClaimAmounts, charges: NamedLateCharges): string[] {
  const rate =
    charges.rate === undefined
      ? ''
      : `, au taux annuel de ${charges.rate}${charges.rateBasis ? ` (${charges.rateBasis})` : ''}`;
  return [
    'Détail de la somme due :',
    `Principal : ${amounts.principal}`,
    `Intérêts — pénalités de retard : ${charges.penalties}${rate}, calculées sur le principal impayé de chaque ` +
      "facture à compter du lendemain de son échéance jusqu'à son paiement (Code de commerce L441-10)",
    `Autres accessoires — indemnité forfaitaire pour frais de recouvrement : ${charges.indemnity} ` +
      '(40 € par facture payée en retard, Code de commerce L441-10 et D441-5)',
    ...(charges.waivedWhenPrincipalPaid
      ? [
          'Si le principal est intégralement réglé, le créancier renonce aux pénalités de retard et à ' +
            "l'indemnité forfaitaire qui resteraient dues.",
        ]
      : []),
  ];
}

function statesIdentifier(text: string, identifier: string): boolean {
  const needle = normalizeForMatching(identifier);
  if (needle === '') return false;
  // "F-12" must not be read inside "F-123" or "F-12-B".
  const pattern = `(?<![\\p{L}\\p{N}])${escapeForRegExp(needle)}(?![\\p{L}\\p{N}]|[-/_.][\\p{L}\\p{N}])`;
  return new RegExp(pattern, 'u').test(normalizeForMatching(text));
}

function containsWording(text: string, pattern: RegExp): boolean {
  return pattern.test(normalizeForMatching(text));
}

const DEMAND_TO_PAY =
  /(?<!\p{L})(?:(?:pay|regl|vers|acquitt|regularis)(?:er|ez)|proceder au (?:reglement|paiement)|faire parvenir (?:votre|le|ce) (?:reglement|paiement))(?!\p{L})/u;
const AMICABLE_COLLECTION_ACTIVITY = /recouvrement amiable/u;
const ON_BEHALF_OF_CREDITOR = /pour le compte d/u;
const DATA_CONTROLLER = /responsable du traitement/u;
const PROCESSING_PURPOSE = /finalites?(?!\p{L}).{0,80}?recouvrement amiable/u;
const DATA_SUBJECT_RIGHTS = ['acces', 'rectification', 'effacement', 'limitation', 'opposition'];
// The right to complain, not just the authority's web address.
const COMPLAINT_TO_CNIL = /(?:reclamation|saisir).{0,40}?(?<!\p{L})cnil(?!\p{L})/u;
const FORMAL_NOTICE_TITLE = /mise en demeure/u;

function namesEveryRight(text: string): boolean {
  const normalized = normalizeForMatching(text);
  const namesEach = DATA_SUBJECT_RIGHTS.every((word) =>
    new RegExp(`(?<!\\p{L})${word}s?(?!\\p{L})`, 'u').test(normalized),
  );
  return namesEach && COMPLAINT_TO_CNIL.test(normalized);
}

function quotesVerbatim(text: string, paragraphs: readonly string[]): boolean {
  const normalized = normalizeForQuotation(text);
  return paragraphs.every((paragraph) => normalized.includes(normalizeForQuotation(paragraph)));
}

// ---------------------------------------------------------------------------------------------
// The mentions

const whenCollectorActs = (context: MessageContext): boolean => context.collector !== undefined;
const whenFirstMessage = (context: MessageContext): boolean => context.firstMessage === undefined;
const whenLaterMessage = (context: MessageContext): boolean => context.firstMessage !== undefined;
const whenFormalNotice = (context: MessageContext): boolean => context.stage === 'formal_notice';
const always = (): boolean => true;

function dataControllerOf(context: MessageContext): PartyIdentity {
  return context.collector ?? context.creditor;
}

function oneLine(address: string): string {
  return address
    .split(/\s*\n\s*/u)
    .filter((line) => line.trim() !== '')
    .join(', ');
}

interface MentionSpec extends Omit<MentionDefinition, 'appliesTo'> {
  /** The legal condition, before the channel policy. */
  requiredWhen: (context: MessageContext) => boolean;
}

function mention(spec: MentionSpec): MentionDefinition {
  const { requiredWhen, ...definition } = spec;
  return { ...definition, appliesTo: (context) => channelCarries(context.channel, spec.id) && requiredWhen(context) };
}

const R124_4_1 = 'CPCE R124-4 1°';
const R124_4_3 = 'CPCE R124-4 3°';
const RGPD_NOTICE = 'RGPD art. 13-14 (R7)';
const FORMAL_NOTICE = 'Code civil 1344 (R5)';

export const MANDATORY_MENTIONS: readonly MentionDefinition[] = [
  mention({
    id: 'formal_notice_title',
    article: FORMAL_NOTICE,
    requiredWhen: whenFormalNotice,
    render: () => 'Objet : mise en demeure',
    isPresent: (text) => containsWording(text, FORMAL_NOTICE_TITLE),
  }),
  mention({
    id: 'creditor_name',
    article: 'CPCE R124-4 2°',
    requiredWhen: always,
    render: (context) => `Créancier : ${context.creditor.name}`,
    isPresent: (text, context) => statesValue(text, context.creditor.name),
  }),
  mention({
    id: 'creditor_address',
    article: 'CPCE R124-4 2°',
    requiredWhen: always,
    render: (context) => `Adresse du créancier : ${oneLine(context.creditor.address)}`,
    isPresent: (text, context) => statesValue(text, context.creditor.address),
  }),
  mention({
    id: 'collector_name',
    article: R124_4_1,
    requiredWhen: whenCollectorActs,
    render: (context) => `Société de recouvrement : ${context.collector?.name ?? ''}`,
    isPresent: (text, context) => statesValue(text, context.collector?.name),
  }),
  mention({
    id: 'collector_address',
    article: R124_4_1,
    requiredWhen: whenCollectorActs,
    render: (context) => `Adresse de la société de recouvrement : ${oneLine(context.collector?.address ?? '')}`,
    isPresent: (text, context) => statesValue(text, context.collector?.address),
  }),
  mention({
    id: 'collector_activity',
    article: R124_4_1,
    requiredWhen: whenCollectorActs,
    render: () =>
      'La société de recouvrement exerce une activité de recouvrement amiable ; elle agit pour le compte du créancier.',
    isPresent: (text) =>
      containsWording(text, AMICABLE_COLLECTION_ACTIVITY) && containsWording(text, ON_BEHALF_OF_CREDITOR),
  }),
  mention({
    id: 'claim_basis',
    article: R124_4_3,
    requiredWhen: always,
    render: (context) => `Fondement de la créance : ${context.claim.basis}`,
    isPresent: (text, context) => statesValue(text, context.claim.basis),
  }),
  mention({
    id: 'invoice_numbers',
    article: R124_4_3,
    requiredWhen: (context) => context.claim.invoiceNumbers.length > 0,
    render: (context) =>
      `${context.claim.invoiceNumbers.length > 1 ? 'Factures concernées' : 'Facture concernée'} : ${context.claim.invoiceNumbers.join(', ')}`,
    isPresent: (text, context) => context.claim.invoiceNumbers.every((number) => statesIdentifier(text, number)),
  }),
  mention({
    id: 'claim_breakdown',
    article: R124_4_3,
    requiredWhen: always,
    render: ({ claim: { amounts } }) =>
      amounts.lateCharges
        ? lateChargesLines(amounts, amounts.lateCharges).join('\n')
        : `Détail de la somme due : principal ${amounts.principal} ; intérêts ${amounts.interest} ; autres accessoires ${amounts.accessories}`,
    isPresent: (text, { claim: { amounts } }) =>
      statesLabelledAmount(text, AMOUNT_LABELS.principal, amounts.principal) &&
      statesLabelledAmount(text, AMOUNT_LABELS.interest, amounts.interest) &&
      statesLabelledAmount(text, AMOUNT_LABELS.accessories, amounts.accessories) &&
      (amounts.lateCharges === undefined || namesLateCharges(text, amounts.lateCharges)),
  }),
  mention({
    id: 'claim_total',
    article: R124_4_3,
    requiredWhen: always,
    render: (context) => `Montant total dû : ${context.claim.amounts.total}`,
    isPresent: (text, context) => statesAmount(text, context.claim.amounts.total),
  }),
  mention({
    id: 'payment_demand',
    article: 'CPCE R124-4 4°',
    requiredWhen: always,
    render: (context) =>
      `Nous vous remercions de bien vouloir régler la somme due. Modalités de paiement : ${context.paymentInstructions}`,
    isPresent: (text, context) =>
      containsWording(text, DEMAND_TO_PAY) && statesValue(text, context.paymentInstructions),
  }),
  mention({
    id: 'formal_notice_deadline',
    article: FORMAL_NOTICE,
    requiredWhen: whenFormalNotice,
    // Without a deadline in the context nothing is rendered, and the check reports the mention missing.
    render: (context) =>
      context.formalNoticeDeadline
        ? `Nous vous mettons en demeure de régler la somme due au plus tard le ${context.formalNoticeDeadline}.`
        : '',
    isPresent: (text, context) => statesValue(text, context.formalNoticeDeadline),
  }),
  mention({
    id: 'first_letter_reference',
    article: 'CPCE R124-4 dernier alinéa',
    requiredWhen: whenLaterMessage,
    render: (context) =>
      `Rappel de notre premier courrier : référence ${context.firstMessage?.reference ?? ''}, envoyé le ${context.firstMessage?.date ?? ''}.`,
    isPresent: (text, context) =>
      statesValue(text, context.firstMessage?.reference) && statesValue(text, context.firstMessage?.date),
  }),
  mention({
    id: 'l111_8_text',
    article: 'CPCE R124-4 5° (L111-8 al. 2-3)',
    requiredWhen: whenCollectorActs,
    render: () =>
      [
        "Article L. 111-8 du code des procédures civiles d'exécution, alinéas 2 et 3 :",
        ...L111_8_PARAGRAPHS_2_AND_3.map((paragraph) => `« ${paragraph} »`),
      ].join('\n'),
    isPresent: (text) => quotesVerbatim(text, L111_8_PARAGRAPHS_2_AND_3),
  }),
  mention({
    id: 'data_controller',
    article: RGPD_NOTICE,
    requiredWhen: whenFirstMessage,
    // The controller's identity and address are stated above in the same message: not repeated.
    render: (context) =>
      `Protection des données : vos données personnelles sont traitées par ${
        context.collector ? 'la société de recouvrement désignée' : 'le créancier désigné'
      } ci-dessus, responsable du traitement.`,
    isPresent: (text, context) =>
      containsWording(text, DATA_CONTROLLER) && statesValue(text, dataControllerOf(context).name),
  }),
  mention({
    id: 'data_purpose',
    article: RGPD_NOTICE,
    requiredWhen: whenFirstMessage,
    render: () => 'Finalité du traitement : le recouvrement amiable de la créance.',
    isPresent: (text) => containsWording(text, PROCESSING_PURPOSE),
  }),
  mention({
    id: 'data_rights',
    article: 'RGPD art. 13-14, 15-21, 77 (R7)',
    requiredWhen: whenFirstMessage,
    render: () =>
      "Vous disposez d'un droit d'accès, de rectification, d'effacement, de limitation du traitement et d'opposition, " +
      "que vous pouvez exercer par écrit à l'adresse indiquée ci-dessus ; vous pouvez aussi introduire une réclamation " +
      'auprès de la CNIL (www.cnil.fr).',
    isPresent: (text) => namesEveryRight(text),
  }),
];

export function applicableMentions(context: MessageContext): MentionDefinition[] {
  return MANDATORY_MENTIONS.filter((definition) => definition.appliesTo(context));
}

/** The French block of every mention this message must carry, one per line; templates include it as is. */
export function renderMandatoryMentions(context: MessageContext): string {
  return applicableMentions(context)
    .map((definition) => definition.render(context))
    .filter((line) => line !== '')
    .join('\n');
}

export interface MissingMention {
  id: MentionId;
  article: string;
}

export function checkMandatoryMentions(text: string, context: MessageContext): { missing: MissingMention[] } {
  const missing = applicableMentions(context)
    .filter((definition) => !definition.isPresent(text, context))
    .map(({ id, article }) => ({ id, article }));
  return { missing };
}
