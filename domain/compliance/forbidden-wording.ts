/**
 * Wording no message may contain (R4 no pressure, no deception; R3 fees; R1: nothing about court
 * action on a time-barred claim), as data, and the text normalisation every compliance check shares.
 *
 * Matching is deliberately lexical: we do not parse negation or intent, so "aucuns frais de dossier"
 * is refused like "frais de dossier". A blocked message goes to a person; a sent one cannot be
 * recalled, so the checker errs on the side of blocking.
 */
import type { DebtorKind } from '../types';

/**
 * CPCE L111-8 paragraphs 2 and 3, as R124-4 5° requires them to be reproduced. They live here rather
 * than in mentions.ts because the wording checker must recognise this exact quotation to exempt it:
 * it contains "frais de recouvrement" and "juge de l'exécution", both forbidden anywhere else.
 */
export const L111_8_PARAGRAPHS_2_AND_3 = [
  "Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier, sauf s'ils concernent un acte dont l'accomplissement est prescrit par la loi au créancier. Toute stipulation contraire est réputée non écrite, sauf disposition législative contraire.",
  "Cependant, le créancier qui justifie du caractère nécessaire des démarches entreprises pour recouvrer sa créance peut demander au juge de l'exécution de laisser tout ou partie des frais ainsi exposés à la charge du débiteur de mauvaise foi.",
] as const;

// ---------------------------------------------------------------------------------------------
// Normalisation

const APOSTROPHES = /['\u2019\u2018\u02bc\u0060\u00b4\u2032]/u;
// Hyphens that join words; en/em dashes separate clauses and stay as they are.
const WORD_HYPHENS = /[\u2010\u2011\u2012]/u;
// Soft hyphens and zero-width characters: invisible to the reader, so invisible to the matcher.
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/u;
const LIGATURES: Readonly<Record<string, string>> = { œ: 'oe', æ: 'ae', ß: 'ss' };
const APOSTROPHES_ALL = new RegExp(APOSTROPHES.source, 'gu');
const WORD_HYPHENS_ALL = new RegExp(WORD_HYPHENS.source, 'gu');
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

const ASCII_WHITESPACE = /^[\t\n\v\f\r ]$/;

function foldCharacter(character: string): string {
  // Most text is ASCII: skip the Unicode work for it (every message is checked before every send).
  if (character.charCodeAt(0) < 0x80) {
    if (ASCII_WHITESPACE.test(character)) return ' ';
    return character === '`' ? "'" : character.toLowerCase();
  }
  if (INVISIBLE.test(character)) return '';
  if (/\s/u.test(character)) return ' ';
  if (APOSTROPHES.test(character)) return "'";
  if (WORD_HYPHENS.test(character)) return '-';
  const lower = character.toLowerCase();
  return (LIGATURES[lower] ?? lower).normalize('NFD').replace(/\p{M}/gu, '');
}

export interface FoldedText {
  /** Equal to `normalizeForMatching(original)`. */
  text: string;
  /** For each UTF-16 unit of `text`, the index in the original it came from: excerpts quote the original. */
  origins: number[];
}

/**
 * `normalizeForMatching` one character at a time, remembering where each character came from.
 * Slower, so only run to quote an excerpt once something was found. Exported for the test that
 * keeps the two in step.
 */
export function foldWithOrigins(original: string): FoldedText {
  const units: string[] = [];
  const origins: number[] = [];
  let index = 0;
  for (const character of original) {
    const folded = foldCharacter(character);
    for (let k = 0; k < folded.length; k++) {
      const unit = folded.charAt(k);
      const collapsesIntoPreviousSpace = unit === ' ' && (units.length === 0 || units[units.length - 1] === ' ');
      if (!collapsesIntoPreviousSpace) {
        units.push(unit);
        origins.push(index);
      }
    }
    index += character.length;
  }
  if (units[units.length - 1] === ' ') {
    units.pop();
    origins.pop();
  }
  return { text: units.join(''), origins };
}

/**
 * Lowercase, diacritics stripped (NFD), apostrophes and word hyphens unified, invisible characters
 * dropped, every run of whitespace (no-break spaces U+00A0/U+202F and line breaks included) one space.
 */
export function normalizeForMatching(text: string): string {
  return text
    .replace(INVISIBLE_ALL, '')
    .replace(APOSTROPHES_ALL, "'")
    .replace(WORD_HYPHENS_ALL, '-')
    .toLowerCase()
    .replace(/[œæß]/gu, (ligature) => LIGATURES[ligature] ?? ligature)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * For a verbatim quotation: case and accents are kept (they are part of the text of the law), only
 * typography that does not change the words is unified.
 */
export function normalizeForQuotation(text: string): string {
  return text
    .normalize('NFC')
    .replace(INVISIBLE_ALL, '')
    .replace(APOSTROPHES_ALL, "'")
    .replace(WORD_HYPHENS_ALL, '-')
    .replace(/\s+/gu, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// The phrases

export const FORBIDDEN_RULES = [
  'judicial_imitation',
  'collection_fees',
  'judicial_costs_threat',
  'legal_threat_time_barred',
  'late_charges_consumer',
  'impossible_threat',
] as const;
export type ForbiddenRule = (typeof FORBIDDEN_RULES)[number];

export type ForbiddenWhen = 'always' | 'time_barred' | 'consumer';

export interface ForbiddenPhrase {
  /**
   * The phrase in ordinary French. It is normalised like the text and matched on whole words, each
   * word also in its plural (+s/+x): "juge" matches "juges" but not "jugeons", "justice" not
   * "justicier". Space and hyphen are interchangeable ("dommages-intérêts" = "dommages intérêts").
   * `…` stands for up to five words of the same sentence.
   */
  pattern: string;
  rule: ForbiddenRule;
  article: string;
  /** Absent means 'always'. */
  appliesWhen?: ForbiddenWhen;
  /** Lawful longer phrases: an occurrence of `pattern` inside one of them is not a finding. */
  unlessWithin?: readonly string[];
}

const ARTICLE_IMITATION = 'Code pénal 433-13; Code de la consommation L121-6/L121-7';
const ARTICLE_COLLECTION_FEES = 'CPCE L111-8 al. 2';
const ARTICLE_COSTS_THREAT = 'Code de la consommation L121-6/L121-7; Code pénal 433-13';
const ARTICLE_TIME_BARRED = 'R1 / DGCCRF: Code de la consommation L121-6/L121-7 (créance prescrite)';
const ARTICLE_IMPOSSIBLE_THREAT = 'R4: Code de la consommation L121-6/L121-7; Code pénal 222-33-2-2 (menace infondée)';
const ARTICLE_CONSUMER_CHARGES = 'Code de commerce L441-10, D441-5 (débiteurs professionnels seulement)';

/**
 * Wording that makes a letter look like a court or bailiff document, or makes the sender look like
 * a court officer (Code pénal 433-13 1° and 2°).
 */
const JUDICIAL_IMITATION = [
  'service judiciaire',
  'service contentieux judiciaire',
  'service du contentieux judiciaire',
  'département judiciaire',
  'pôle judiciaire',
  'avis avant saisie',
  'dernier avis avant saisie',
  'avis de saisie',
  'commandement de payer',
  'sommation de payer',
  // Any "sommation" (de payer, interpellative, dernière): a commissaire de justice's act.
  'sommation',
  "acte d'huissier",
  'acte de commissaire de justice',
  "exploit d'huissier",
  'signification',
  // A court's order; "injonction de payer" (the procedure) is excepted below.
  'injonction',
  'procès-verbal',
  // The sender presenting itself as, or as employing, a court officer.
  'notre huissier',
  'nos huissiers',
  'service huissier',
  'notre commissaire de justice',
  'nos commissaires de justice',
  'officier ministériel',
  'officier public',
  'procureur',
  // The heading of a judgment, and an official letterhead.
  'au nom du peuple français',
  'République française',
  'vaut titre exécutoire',
  'valant titre exécutoire',
];

/** Charging the debtor what L111-8 leaves to the creditor (R3). */
const COLLECTION_FEES = [
  'frais de recouvrement',
  'frais de dossier',
  "frais de l'acte",
  "frais d'huissier",
  'frais de commissaire de justice',
  'frais de relance',
  'frais de gestion',
  'frais de mise en demeure',
  'frais de lettre recommandée',
  'frais de recommandé',
  'frais de contentieux',
  "frais d'intervention",
  "frais d'encaissement",
  'honoraires de recouvrement',
  'commission de recouvrement',
  'pénalités de recouvrement',
  'pénalité de recouvrement',
  'majoration forfaitaire',
  // Damages, whatever their name: no court has awarded any.
  'dommages et intérêts',
  'dommages-intérêts',
  'clause pénale',
];

/** Implying that judicial costs will fall on the debtor (R4). */
const JUDICIAL_COSTS_THREAT = [
  'frais de justice … à votre charge',
  'frais judiciaires … à votre charge',
  'frais de procédure … à votre charge',
  'dépens',
  'article 700',
];

/** Anything about court action, a court officer, seizure or judicial costs (R1's consequence). */
const LEGAL_THREAT_TIME_BARRED = [
  'tribunal',
  'tribunaux',
  'juge',
  'juridiction',
  'justice',
  'judiciaire',
  'judiciairement',
  'poursuites',
  'procédure judiciaire',
  'action en justice',
  'commissaire de justice',
  'huissier',
  'saisie',
  'vous saisir',
  'saisir vos biens',
  'injonction de payer',
  'exécution forcée',
  "mesure d'exécution",
  "voie d'exécution",
  "procédure d'exécution",
  'titre exécutoire',
  'frais de justice',
  'frais judiciaires',
  'frais de procédure',
  'contentieux',
  'assignation',
  'assigner',
  'assignerons',
  'jugement',
  'condamnation',
  'condamner',
  'condamné',
  'avocat',
  'plainte',
  'audience',
  'ordonnance',
];

/**
 * Late-payment charges of Code de commerce L441-10 never apply to a consumer (R3). Bare amounts
 * ("40 €", "40,00 €") are not listed: an amount is data, and a consumer may well owe exactly 40 €;
 * the indemnity is caught by its names instead.
 */
/**
 * Threats of things an amicable collector cannot do, or that do not follow from an unpaid debt:
 * no seizure by the creditor itself and none without a court title (naming seizure as what a court
 * may later order stays lawful on a live claim), non-payment is no criminal offence, and a
 * credit-register listing (FICP) is for credit incidents, not for a supplier's invoice.
 */
const IMPOSSIBLE_THREAT = [
  'nous allons saisir',
  'nous procéderons à la saisie',
  'saisie immédiate',
  'plainte pénale',
  'dépôt de plainte',
  'poursuites pénales',
  'casier judiciaire',
  'fichage banque de france',
  'inscription au fichier',
  'ficp',
];

const LATE_CHARGES_CONSUMER = [
  'indemnité forfaitaire',
  'indemnité forfaitaire pour frais de recouvrement',
  'indemnité de recouvrement',
  'indemnité légale de recouvrement',
  'indemnité de 40',
  'forfait de 40',
  'pénalités de retard',
  'pénalité de retard',
  'taux de refinancement',
  'L441-10',
  'L. 441-10',
  'D441-5',
  'D. 441-5',
];

/** Lawful phrases that contain a forbidden one; the enclosing phrase is itself checked where it must be. */
const LAWFUL_ENCLOSING_PHRASES: Readonly<Record<string, readonly string[]>> = {
  // A procedure that may be named on a claim that is not time-barred (refused on one by its own entry).
  injonction: ['injonction de payer'],
  // The legal name of the €40 indemnity a business owes (L441-10); refused for a consumer by its own entry.
  'frais de recouvrement': ['indemnité forfaitaire pour frais de recouvrement'],
  // Diacritics are stripped, so "jugé" reads "juge": the past participle in courteous wording is not the judge.
  juge: [
    'avons jugé',
    'ai jugé',
    'a jugé',
    'avions jugé',
    'avait jugé',
    'ont jugé',
    'été jugé',
    'jugé utile',
    'jugé bon',
    'jugé opportun',
    'jugé préférable',
    'jugé nécessaire',
  ],
  saisie: ['erreur de saisie'],
};

function phrasesOf(
  patterns: readonly string[],
  rule: ForbiddenRule,
  article: string,
  appliesWhen: ForbiddenWhen,
): ForbiddenPhrase[] {
  return patterns.map((pattern) => {
    const unlessWithin = LAWFUL_ENCLOSING_PHRASES[pattern];
    return unlessWithin
      ? { pattern, rule, article, appliesWhen, unlessWithin }
      : { pattern, rule, article, appliesWhen };
  });
}

export const FORBIDDEN_PHRASES: readonly ForbiddenPhrase[] = [
  ...phrasesOf(JUDICIAL_IMITATION, 'judicial_imitation', ARTICLE_IMITATION, 'always'),
  ...phrasesOf(COLLECTION_FEES, 'collection_fees', ARTICLE_COLLECTION_FEES, 'always'),
  ...phrasesOf(JUDICIAL_COSTS_THREAT, 'judicial_costs_threat', ARTICLE_COSTS_THREAT, 'always'),
  ...phrasesOf(LEGAL_THREAT_TIME_BARRED, 'legal_threat_time_barred', ARTICLE_TIME_BARRED, 'time_barred'),
  ...phrasesOf(LATE_CHARGES_CONSUMER, 'late_charges_consumer', ARTICLE_CONSUMER_CHARGES, 'consumer'),
  ...phrasesOf(IMPOSSIBLE_THREAT, 'impossible_threat', ARTICLE_IMPOSSIBLE_THREAT, 'always'),
];

// ---------------------------------------------------------------------------------------------
// Matching

const WORD_BOUNDARY_BEFORE = '(?<![\\p{L}\\p{N}])';
const WORD_BOUNDARY_AFTER = '(?![\\p{L}\\p{N}])';
// `…`: up to five more words (commas allowed), never across the end of a sentence or a quotation mark.
const WORD_GAP = '(?:[ ,-]+[^ ,.!?;:\\u00ab\\u00bb"]+){0,5}?[ ,-]+';

function escapeForRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function phraseSource(phrase: string): string {
  return normalizeForMatching(phrase).replace(
    /([\p{L}\p{N}]+)|([ -]+)|(')|([^\p{L}\p{N} '-]+)/gu,
    (_match, word?: string, separator?: string, apostrophe?: string, other?: string) => {
      if (word) return /\p{L}$/u.test(word) ? `${word}(?:s|x)?` : word;
      if (separator) return '[ -]+';
      if (apostrophe) return "' ?";
      return escapeForRegExp(other ?? '');
    },
  );
}

function compilePhrase(pattern: string): RegExp {
  const source = pattern
    .split('…')
    .map((part) => phraseSource(part.trim()))
    .join(WORD_GAP);
  return new RegExp(`${WORD_BOUNDARY_BEFORE}(?:${source})${WORD_BOUNDARY_AFTER}`, 'gu');
}

interface CompiledPhrase {
  definition: ForbiddenPhrase;
  matcher: RegExp;
  lawfulEnclosings: RegExp[];
}

// Compiled once at load: pure and deterministic, so safe in workflow code.
const COMPILED_PHRASES: readonly CompiledPhrase[] = FORBIDDEN_PHRASES.map((definition) => ({
  definition,
  matcher: compilePhrase(definition.pattern),
  lawfulEnclosings: (definition.unlessWithin ?? []).map(compilePhrase),
}));

const MANDATED_QUOTATIONS = L111_8_PARAGRAPHS_2_AND_3.map(normalizeForMatching);

/**
 * Blanks out each exact mandated quotation. The blank is a run of sentence ends, same length, so
 * offsets still map to the original and no phrase can be formed across the hole.
 */
function blankOutMandatedQuotations(normalized: string): string {
  let blanked = normalized;
  for (const quotation of MANDATED_QUOTATIONS) {
    let from = blanked.indexOf(quotation);
    while (from !== -1) {
      blanked = blanked.slice(0, from) + '.'.repeat(quotation.length) + blanked.slice(from + quotation.length);
      from = blanked.indexOf(quotation, from + quotation.length);
    }
  }
  return blanked;
}

export interface WordingSituation {
  timeBarred: boolean;
  debtorKind: DebtorKind;
}

export interface ForbiddenWordingFinding {
  /** The forbidden phrase as listed in FORBIDDEN_PHRASES. */
  phrase: string;
  rule: ForbiddenRule;
  article: string;
  /** The original text around the occurrence, whitespace collapsed. */
  excerpt: string;
}

function appliesIn(situation: WordingSituation, when: ForbiddenWhen | undefined): boolean {
  if (when === 'time_barred') return situation.timeBarred;
  if (when === 'consumer') return situation.debtorKind === 'consumer';
  return true;
}

interface Occurrence {
  start: number;
  end: number;
  definition: ForbiddenPhrase;
}

function spansOf(matcher: RegExp, text: string): { start: number; end: number }[] {
  return Array.from(text.matchAll(matcher), (match) => ({ start: match.index, end: match.index + match[0].length }));
}

function occurrencesOf(compiled: CompiledPhrase, text: string): Occurrence[] {
  const lawfulSpans = compiled.lawfulEnclosings.flatMap((enclosing) => spansOf(enclosing, text));
  return spansOf(compiled.matcher, text)
    .filter((span) => !lawfulSpans.some((lawful) => lawful.start <= span.start && span.end <= lawful.end))
    .map((span) => ({ ...span, definition: compiled.definition }));
}

/** "dernier avis avant saisie" is one finding, not three: an occurrence inside a longer one is dropped. */
function outermostOnly(occurrences: Occurrence[]): Occurrence[] {
  return occurrences.filter(
    (candidate, index) =>
      !occurrences.some((other, otherIndex) => {
        const encloses = other.start <= candidate.start && candidate.end <= other.end;
        const isLarger = other.end - other.start > candidate.end - candidate.start;
        return encloses && (isLarger || otherIndex < index);
      }),
  );
}

const EXCERPT_CONTEXT_CHARS = 20;

function excerptAround(original: string, folded: FoldedText, occurrence: Occurrence): string {
  const start = folded.origins[occurrence.start] ?? 0;
  const end = (folded.origins[occurrence.end - 1] ?? original.length - 1) + 1;
  const from = Math.max(0, start - EXCERPT_CONTEXT_CHARS);
  const to = Math.min(original.length, end + EXCERPT_CONTEXT_CHARS);
  const body = original.slice(from, to).replace(/\s+/gu, ' ').trim();
  return `${from > 0 ? '…' : ''}${body}${to < original.length ? '…' : ''}`;
}

/** Every forbidden phrase in `text` for this claim, in reading order. The mandated L111-8 quotation is exempt. */
export function findForbiddenWording(text: string, situation: WordingSituation): ForbiddenWordingFinding[] {
  const scanned = blankOutMandatedQuotations(normalizeForMatching(text));
  const occurrences = COMPILED_PHRASES.filter((compiled) =>
    appliesIn(situation, compiled.definition.appliesWhen),
  ).flatMap((compiled) => occurrencesOf(compiled, scanned));
  if (occurrences.length === 0) return [];
  const folded = foldWithOrigins(text);
  return outermostOnly(occurrences)
    .sort((a, b) => a.start - b.start)
    .map((occurrence) => ({
      phrase: occurrence.definition.pattern,
      rule: occurrence.definition.rule,
      article: occurrence.definition.article,
      excerpt: excerptAround(text, folded, occurrence),
    }));
}
