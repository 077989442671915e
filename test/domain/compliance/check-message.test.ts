import fc from 'fast-check';
import {
  FORBIDDEN_PHRASES,
  checkMessage,
  describeViolations,
  renderMandatoryMentions,
  type MessageContext,
} from '../../../domain/compliance';
import {
  COURTEOUS_CLOSING,
  COURTEOUS_OPENING,
  FIRST_EMAIL_BY_COLLECTOR,
  FORMAL_NOTICE_LETTER,
  FULL_CHANNEL_CONTEXTS,
  NBSP,
  NNBSP,
  TIME_BARRED_CONSUMER_EMAIL,
  contextWith,
  courteousEmail,
} from './fixtures';

const ALWAYS_FORBIDDEN = FORBIDDEN_PHRASES.filter(({ appliesWhen }) => (appliesWhen ?? 'always') === 'always').map(
  ({ pattern }) => pattern,
);
const TIME_BARRED_ONLY = FORBIDDEN_PHRASES.filter(({ appliesWhen }) => appliesWhen === 'time_barred').map(
  ({ pattern }) => pattern,
);

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** A phrase as a template might really spell it: any case, any space, either apostrophe. */
const spelling = fc.record({
  space: fc.constantFrom(' ', '\n', NBSP, NNBSP, '  ', ' \n  '),
  apostrophe: fc.constantFrom("'", '\u2019'),
  casing: fc.constantFrom<(text: string) => string>(
    (text) => text,
    (text) => text.toUpperCase(),
    capitalised,
  ),
});
type Spelling = typeof spelling extends fc.Arbitrary<infer S> ? S : never;

function spell(pattern: string, { space, apostrophe, casing }: Spelling): string {
  return casing(pattern.replace('…', 'resteront bien')).replace(/ /g, space).replace(/'/g, apostrophe);
}

function whitespaceIndexes(text: string): number[] {
  return Array.from(text.matchAll(/\s/gu), (match) => match.index);
}

/** Where a new sentence may start in the courteous paragraphs: their starts and after each full stop. */
function sentenceStarts(paragraphs: readonly string[]): [number, number][] {
  return paragraphs.flatMap((paragraph, index) => [
    [index, 0] as [number, number],
    ...Array.from(paragraph.matchAll(/\. /g), (match): [number, number] => [index, match.index + 2]),
  ]);
}

const compliantBody = (context: MessageContext): string => courteousEmail(renderMandatoryMentions(context));
const contexts = FULL_CHANNEL_CONTEXTS.map(([, context]) => context);

describe('checkMessage', () => {
  test('R2 / R4 — a compliant email passes; a forbidden phrase blocks it even with every mention present', () => {
    const body = compliantBody(FIRST_EMAIL_BY_COLLECTOR);
    expect(checkMessage({ body }, FIRST_EMAIL_BY_COLLECTOR).ok).toBe(true);
    const withFees = body.replace('Sauf erreur,', 'Des frais de dossier de 30 € ont été ajoutés. Sauf erreur,');
    expect(checkMessage({ body: withFees }, FIRST_EMAIL_BY_COLLECTOR)).toEqual({
      ok: false,
      violations: [
        {
          kind: 'forbidden_wording',
          id_or_phrase: 'frais de dossier',
          article: 'CPCE L111-8 al. 2',
          detail: expect.stringMatching(
            /^collection_fees: « frais de dossier » in the body: .*frais de dossier de 30 €/,
          ),
        },
      ],
    });
  });

  test('Code pénal 433-13 — the subject is checked for wording; mentions are looked for in the body only', () => {
    const body = compliantBody(FIRST_EMAIL_BY_COLLECTOR);
    const verdict = checkMessage({ subject: 'DERNIER AVIS AVANT SAISIE', body }, FIRST_EMAIL_BY_COLLECTOR);
    expect(verdict.violations).toEqual([
      expect.objectContaining({ kind: 'forbidden_wording', detail: expect.stringContaining('in the subject') }),
    ]);
    const mentionsInSubjectOnly = checkMessage(
      { subject: renderMandatoryMentions(FIRST_EMAIL_BY_COLLECTOR), body: 'Madame, Monsieur,' },
      FIRST_EMAIL_BY_COLLECTOR,
    );
    expect(mentionsInSubjectOnly.ok).toBe(false);
  });

  test('R5 / R1 — a mise en demeure may name the possible court action only when the claim is not time-barred', () => {
    const body = courteousEmail(
      `${renderMandatoryMentions(FORMAL_NOTICE_LETTER)}\nÀ défaut de règlement dans ce délai, le créancier pourra saisir le tribunal compétent.`,
    );
    expect(checkMessage({ body }, FORMAL_NOTICE_LETTER)).toEqual({ ok: true, violations: [] });
    const timeBarred = { ...FORMAL_NOTICE_LETTER, timeBarred: true };
    expect(checkMessage({ body }, timeBarred).violations).toEqual([
      expect.objectContaining({ kind: 'forbidden_wording', id_or_phrase: 'tribunal' }),
    ]);
  });

  test('R3 — the €40 indemnity of a business debtor blocks the same message to a consumer', () => {
    const line = 'Indemnité forfaitaire pour frais de recouvrement : 40,00 €';
    const business = contextWith({ firstMessage: { reference: 'R-1', date: '2 mars 2026' } });
    const consumer = { ...business, debtorKind: 'consumer' as const };
    const body = courteousEmail(`${renderMandatoryMentions(business)}\n${line}`);
    expect(checkMessage({ body }, business).ok).toBe(true);
    expect(checkMessage({ body }, consumer).violations).toEqual([
      expect.objectContaining({ id_or_phrase: 'indemnité forfaitaire pour frais de recouvrement' }),
    ]);
  });

  test('describeViolations says which rule stopped the message, for the journal', () => {
    const withoutTotal = compliantBody(TIME_BARRED_CONSUMER_EMAIL).replace(/Montant total dû : .*\n/, '');
    const verdict = checkMessage({ body: `${withoutTotal}\nUn huissier passera.` }, TIME_BARRED_CONSUMER_EMAIL);
    expect(describeViolations(verdict.violations)).toBe(
      'mention obligatoire absente : claim_total (CPCE R124-4 3°); formulation interdite « huissier » (R1 / DGCCRF: Code de la consommation L121-6/L121-7 (créance prescrite))',
    );
  });
});

describe('properties', () => {
  test('R4 / R3 — any always-forbidden phrase inserted anywhere into a compliant body blocks it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...contexts),
        fc.constantFrom(...ALWAYS_FORBIDDEN),
        spelling,
        fc.nat(),
        (context, pattern, how, at) => {
          const body = compliantBody(context);
          const positions = whitespaceIndexes(body);
          const index = positions[at % positions.length] ?? 0;
          const tampered = `${body.slice(0, index)} ${spell(pattern, how)} ${body.slice(index)}`;
          const verdict = checkMessage({ body: tampered }, context);
          expect(verdict.ok).toBe(false);
          expect(verdict.violations.some((violation) => violation.kind === 'forbidden_wording')).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('R1 / DGCCRF — any time-barred phrase blocks a message on a time-barred claim, and alone does not block it otherwise', () => {
    const starts = {
      opening: sentenceStarts(COURTEOUS_OPENING),
      closing: sentenceStarts(COURTEOUS_CLOSING),
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...contexts),
        fc.constantFrom(...TIME_BARRED_ONLY),
        spelling,
        fc.constantFrom<'opening' | 'closing'>('opening', 'closing'),
        fc.nat(),
        (context, pattern, how, part, at) => {
          const candidates = starts[part];
          const [paragraphIndex, offset] = candidates[at % candidates.length] ?? [0, 0];
          const paragraphs = [...(part === 'opening' ? COURTEOUS_OPENING : COURTEOUS_CLOSING)];
          const paragraph = paragraphs[paragraphIndex] ?? '';
          paragraphs[paragraphIndex] = `${paragraph.slice(0, offset)}${spell(pattern, how)} ${paragraph.slice(offset)}`;
          const mentions = renderMandatoryMentions(context);
          const body =
            part === 'opening'
              ? courteousEmail(mentions, paragraphs, COURTEOUS_CLOSING)
              : courteousEmail(mentions, COURTEOUS_OPENING, paragraphs);

          const barred = checkMessage({ body }, { ...context, timeBarred: true });
          expect(barred.ok).toBe(false);
          expect(barred.violations.map((violation) => violation.kind)).toEqual(['forbidden_wording']);
          expect(checkMessage({ body }, { ...context, timeBarred: false })).toEqual({ ok: true, violations: [] });
        },
      ),
      { numRuns: 200 },
    );
  });
});
