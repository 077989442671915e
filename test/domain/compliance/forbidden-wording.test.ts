import fc from 'fast-check';
import {
  FORBIDDEN_PHRASES,
  L111_8_PARAGRAPHS_2_AND_3,
  findForbiddenWording,
  normalizeForMatching,
  type WordingSituation,
} from '../../../domain/compliance';
import { foldWithOrigins } from '../../../domain/compliance/forbidden-wording';
import { NBSP, NNBSP } from './fixtures';

const CURRENT_BUSINESS: WordingSituation = { timeBarred: false, debtorKind: 'business' };
const CURRENT_CONSUMER: WordingSituation = { timeBarred: false, debtorKind: 'consumer' };
const TIME_BARRED_BUSINESS: WordingSituation = { timeBarred: true, debtorKind: 'business' };
const TIME_BARRED_CONSUMER: WordingSituation = { timeBarred: true, debtorKind: 'consumer' };
const EVERY_SITUATION = [CURRENT_BUSINESS, CURRENT_CONSUMER, TIME_BARRED_BUSINESS, TIME_BARRED_CONSUMER];

function phrasesFound(text: string, situation: WordingSituation): string[] {
  return findForbiddenWording(text, situation).map((finding) => finding.phrase);
}

function rulesFound(text: string, situation: WordingSituation): string[] {
  return findForbiddenWording(text, situation).map((finding) => finding.rule);
}

describe('normalizeForMatching', () => {
  test('the fast normalisation and the one that keeps offsets agree, so excerpts quote the right place', () => {
    const frenchish = fc.string({
      unit: fc.constantFrom(..."aéÉèêëàâçÇôœŒæßîïùûü’'`‘ -‐‑–—\n\t\u00a0\u202f\u00ad\u200b\u0301\u0327İ€1,.".split('')),
      maxLength: 60,
    });
    fc.assert(
      fc.property(frenchish, (text) => {
        const folded = foldWithOrigins(text);
        expect(folded.text).toBe(normalizeForMatching(text));
        expect(folded.origins).toHaveLength(folded.text.length);
      }),
      { numRuns: 500 },
    );
  });

  test('lowercases, strips diacritics, unifies apostrophes and hyphens, collapses every kind of space', () => {
    expect(normalizeForMatching(`  Frais\u00a0D\u2019HUISSIER\n\t et  dommages\u2011intérêts${NNBSP}:  Œuvre `)).toBe(
      "frais d'huissier et dommages-interets : oeuvre",
    );
    expect(normalizeForMatching('re\u0301pute\u0301e non e\u0301crite')).toBe('reputee non ecrite');
    expect(normalizeForMatching('recou\u00advrement')).toBe('recouvrement');
  });
});

describe('R3 — collection fees stay with the creditor', () => {
  test.each([
    'frais de recouvrement',
    'frais de dossier',
    "frais de l'acte",
    "frais d'huissier",
    'dommages et intérêts',
    'dommages-intérêts',
    'pénalités de recouvrement',
    'frais de relance',
    'frais de mise en demeure',
  ])("CPCE L111-8 — '%s' refused, on any claim", (phrase) => {
    for (const situation of EVERY_SITUATION) {
      expect(rulesFound(`Le solde comprend des ${phrase} de 35 €.`, situation)).toEqual(['collection_fees']);
    }
  });

  test("CPCE L111-8 — 'frais de dossier' refused", () => {
    expect(findForbiddenWording('Des frais de dossier de 25 € ont été ajoutés.', CURRENT_BUSINESS)).toEqual([
      {
        phrase: 'frais de dossier',
        rule: 'collection_fees',
        article: 'CPCE L111-8 al. 2',
        excerpt: 'Des frais de dossier de 25 € ont été ajo…',
      },
    ]);
  });

  test('CPCE L111-8 — a negated mention is refused too: the matcher does not parse intent', () => {
    expect(phrasesFound('Aucuns frais de dossier ne vous seront demandés.', CURRENT_BUSINESS)).toEqual([
      'frais de dossier',
    ]);
  });
});

describe('R4 — no imitation of a court or bailiff document', () => {
  test.each([
    'service judiciaire',
    'avis avant saisie',
    'commandement de payer',
    'sommation de payer',
    "acte d'huissier",
    'signification',
    'service contentieux judiciaire',
    'procès-verbal',
    'notre huissier',
    'nos commissaires de justice',
    'République française',
  ])("Code pénal 433-13 — '%s' refused, on any claim", (phrase) => {
    for (const situation of EVERY_SITUATION) {
      expect(rulesFound(`Objet : ${phrase} concernant votre compte`, situation)).toEqual(['judicial_imitation']);
    }
  });

  test("Code pénal 433-13 — 'dernier avis avant saisie' is one finding, the longest phrase", () => {
    expect(phrasesFound('DERNIER AVIS AVANT SAISIE', TIME_BARRED_CONSUMER)).toEqual(['dernier avis avant saisie']);
  });

  test("[decision] Code pénal 433-13 — 'injonction' alone imitates a court order; 'injonction de payer' names a lawful procedure unless the claim is time-barred", () => {
    expect(phrasesFound('Injonction vous est faite de régler sous huitaine.', CURRENT_BUSINESS)).toEqual([
      'injonction',
    ]);
    const procedure = 'À défaut, le créancier pourra engager une procédure d’injonction de payer.';
    expect(phrasesFound(procedure, CURRENT_BUSINESS)).toEqual([]);
    expect(phrasesFound(procedure, TIME_BARRED_BUSINESS)).toEqual(['injonction de payer']);
  });

  test('[decision] Code pénal 433-13 — "huissier" as if the sender employed one is refused on any claim; naming the profession is refused only on a time-barred claim', () => {
    expect(phrasesFound('Notre huissier passera à votre domicile.', CURRENT_BUSINESS)).toEqual(['notre huissier']);
    const handoff = 'Le dossier pourra être transmis à un huissier.';
    expect(phrasesFound(handoff, CURRENT_BUSINESS)).toEqual([]);
    expect(phrasesFound(handoff, TIME_BARRED_BUSINESS)).toEqual(['huissier']);
  });
});

describe('R4 — no implying that judicial costs fall on the debtor', () => {
  test.each([
    'Les frais de justice à votre charge seront réclamés.',
    'Les frais judiciaires à votre charge seront réclamés.',
    'Les dépens à votre charge seront réclamés.',
    'Les frais de justice, qui seront intégralement à votre charge, ...',
    'Les frais judiciaires resteront à votre charge.',
    "Vous serez condamné au titre de l'article 700.",
  ])('Code de la consommation L121-6/L121-7 — «%s» refused on any claim', (sentence) => {
    for (const situation of EVERY_SITUATION) {
      expect(rulesFound(sentence, situation)).toContain('judicial_costs_threat');
    }
  });

  test('Code de la consommation L121-6/L121-7 — a gap never spans a sentence end', () => {
    expect(rulesFound('Des frais de justice existent. Rien ne reste à votre charge.', CURRENT_BUSINESS)).toEqual([]);
  });
});

describe('R4 — no threat of an action that is not legally possible', () => {
  test.each([
    'Sans paiement, nous allons saisir votre véhicule.',
    'Une saisie immédiate sera engagée dès lundi.',
    'Nous déposerons une plainte pénale pour non-paiement.',
    'Un dépôt de plainte est en préparation.',
    'Cet impayé figurera à votre casier judiciaire.',
    'Nous demanderons votre inscription au fichier des incidents (FICP).',
  ])('Code de la consommation L121-6/L121-7 — «%s» refused on any claim', (sentence) => {
    for (const situation of EVERY_SITUATION) {
      expect(rulesFound(sentence, situation)).toContain('impossible_threat');
    }
  });

  test('ordinary wording about the debt is not a threat', () => {
    expect(rulesFound('Nous avons saisi votre règlement partiel dans notre comptabilité.', CURRENT_BUSINESS)).toEqual(
      [],
    );
  });
});

describe('R1 — nothing about court action on a time-barred claim', () => {
  test.each([
    ['commissaire de justice', 'Votre dossier sera transmis à un commissaire de justice.'],
    ['tribunal', 'Nous saisirons le tribunal compétent.'],
    ['juge', 'Nous demanderons au juge de statuer.'],
    ['juridiction', 'Nous nous adresserons à la juridiction compétente.'],
    ['poursuites', 'Des poursuites pourront être engagées.'],
    ['procédure judiciaire', 'Une procédure judiciaire pourra être engagée.'],
    ['action en justice', 'Une action en justice est envisagée.'],
    ['huissier', 'Un huissier pourra intervenir.'],
    ['saisie', 'Une saisie sur salaire est possible.'],
    ['injonction de payer', 'Nous déposerons une requête en injonction de payer.'],
    ['exécution forcée', "L'exécution forcée sera mise en œuvre."],
    ['frais de justice', 'Évitez des frais de justice inutiles.'],
    ['frais judiciaires', 'Évitez des frais judiciaires inutiles.'],
    ['contentieux', 'Le dossier passera au contentieux.'],
    ['assignation', 'Une assignation vous sera délivrée.'],
    ['titre exécutoire', 'Nous obtiendrons un titre exécutoire.'],
    ['avocat', 'Notre avocat est informé.'],
    ['jugement', 'Un jugement sera rendu.'],
  ])("R1 / DGCCRF — '%s' refused on a time-barred claim, allowed otherwise", (phrase, sentence) => {
    for (const situation of [TIME_BARRED_BUSINESS, TIME_BARRED_CONSUMER]) {
      expect(findForbiddenWording(sentence, situation)).toEqual([
        expect.objectContaining({ phrase, rule: 'legal_threat_time_barred' }),
      ]);
    }
    for (const situation of [CURRENT_BUSINESS, CURRENT_CONSUMER]) {
      expect(findForbiddenWording(sentence, situation)).toEqual([]);
    }
  });
});

describe('R3 — late-payment charges are for business debtors only', () => {
  test.each([
    ['indemnité forfaitaire', 'Une indemnité forfaitaire de 40 € est due.'],
    ['indemnité forfaitaire pour frais de recouvrement', 'Indemnité forfaitaire pour frais de recouvrement : 40,00 €'],
    ['pénalités de retard', 'Des pénalités de retard s’appliquent.'],
    ['taux de refinancement', 'au taux de refinancement de la BCE majoré de 10 points'],
    ['L. 441-10', "en application de l'article L. 441-10 du code de commerce"],
  ])("Code de commerce L441-10 — '%s' refused for a consumer, allowed for a business", (phrase, sentence) => {
    expect(findForbiddenWording(sentence, CURRENT_CONSUMER)).toEqual([
      expect.objectContaining({ phrase, rule: 'late_charges_consumer' }),
    ]);
    expect(findForbiddenWording(sentence, CURRENT_BUSINESS)).toEqual([]);
  });

  test('[decision] bare amounts are data: a consumer owing exactly 40,00 € is not refused', () => {
    expect(findForbiddenWording(`Montant total dû : 40,00${NBSP}€ (40 €)`, CURRENT_CONSUMER)).toEqual([]);
  });

  test("CPCE L111-8 — 'frais de recouvrement' outside the name of the business indemnity is still refused for a business", () => {
    expect(phrasesFound('Frais de recouvrement : 40,00 €', CURRENT_BUSINESS)).toEqual(['frais de recouvrement']);
  });
});

describe('the mandated L111-8 quotation', () => {
  const quotation = L111_8_PARAGRAPHS_2_AND_3.map((paragraph) => `« ${paragraph} »`).join('\n');

  test('the mandated L111-8 text never trips the checker, even on a time-barred claim', () => {
    for (const situation of EVERY_SITUATION) expect(findForbiddenWording(quotation, situation)).toEqual([]);
    const wrapped = quotation
      .replace(/'/g, '\u2019')
      .replace(/ (?=\S{9})/g, '\n')
      .toUpperCase();
    for (const situation of EVERY_SITUATION) expect(findForbiddenWording(wrapped, situation)).toEqual([]);
  });

  test('a partial L111-8 quotation, or the same words elsewhere, still trips it', () => {
    const firstSentence = 'Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier.';
    expect(phrasesFound(firstSentence, CURRENT_BUSINESS)).toEqual(['frais de recouvrement']);
    const quotedThenRepeated = `${quotation}\nDes frais de recouvrement vous sont facturés.`;
    expect(findForbiddenWording(quotedThenRepeated, CURRENT_BUSINESS)).toEqual([
      expect.objectContaining({
        phrase: 'frais de recouvrement',
        excerpt: expect.stringContaining('vous sont facturés'),
      }),
    ]);
    expect(phrasesFound(`${quotation}\nLe juge tranchera.`, TIME_BARRED_BUSINESS)).toEqual(['juge']);
  });

  test('no phrase is formed across the exempted quotation', () => {
    const around = `Les frais de\n${L111_8_PARAGRAPHS_2_AND_3[0]}\ndossier sont évoqués.`;
    expect(phrasesFound(around, CURRENT_BUSINESS)).toEqual([]);
  });
});

describe('robustness', () => {
  test.each([
    ['case and accents', 'Le TRIBUNAL de commerce', 'tribunal'],
    ['capitalised', 'Tribunal de commerce', 'tribunal'],
    ['upper case', 'AVIS DE SAISIE', 'avis de saisie'],
    ['accents dropped', 'execution forcee', 'exécution forcée'],
    ['typographic apostrophe', 'des frais d\u2019huissier', "frais d'huissier"],
    ['no-break spaces', `des frais${NBSP}de${NNBSP}dossier`, 'frais de dossier'],
    ['line break inside a phrase', 'un commissaire de\njustice', 'commissaire de justice'],
    ['line break and indentation', 'un commissaire\n    de justice', 'commissaire de justice'],
    ['non-breaking hyphen', 'des dommages\u2011intérêts', 'dommages-intérêts'],
    ['space for hyphen', 'des dommages intérêts', 'dommages-intérêts'],
    ['plural', 'les juges compétents', 'juge'],
    ['decomposed accents', 'exe\u0301cution force\u0301e', 'exécution forcée'],
  ])('%s: found', (_variant, text, phrase) => {
    expect(phrasesFound(text, TIME_BARRED_CONSUMER)).toEqual([phrase]);
  });

  test.each([
    'Nous restons à votre disposition pour tout justificatif.',
    'Nous jugeons utile de vous rappeler cette échéance.',
    'Nous avons jugé préférable de vous écrire.',
    'Un justicier masqué ?',
    'Suite à une erreur de saisie, votre adresse a été corrigée.',
    'Sauf erreur, votre règlement ne nous est pas parvenu.',
    'Nous pouvons convenir d’un échéancier.',
    'Le service clients reste joignable du lundi au vendredi.',
    'Merci de votre confiance.',
  ])('ordinary courteous wording is not refused, even on a time-barred consumer claim: «%s»', (sentence) => {
    expect(findForbiddenWording(sentence, TIME_BARRED_CONSUMER)).toEqual([]);
  });

  test('word boundaries: "juge" is a whole word, its plural included', () => {
    const situation = TIME_BARRED_BUSINESS;
    expect(phrasesFound('nous jugeons', situation)).toEqual([]);
    expect(phrasesFound('le jugement', situation)).toEqual(['jugement']);
    expect(phrasesFound('saisir le juge.', situation)).toEqual(['juge']);
    expect(phrasesFound('(juge)', situation)).toEqual(['juge']);
    expect(phrasesFound('la justice', situation)).toEqual(['justice']);
    expect(phrasesFound('les justiciables', situation)).toEqual([]);
  });

  test('the excerpt quotes the original text around the occurrence', () => {
    const text = `Madame, Monsieur, nous vous adressons ce\ndernier  avis avant\u00a0saisie concernant la facture F-2025-0412 et vous prions d'agréer…`;
    const [finding] = findForbiddenWording(text, CURRENT_BUSINESS);
    // 20 characters of the original on each side, then whitespace collapsed.
    expect(finding?.excerpt).toBe('…s vous adressons ce dernier avis avant saisie concernant la factu…');
  });

  test('every listed phrase is found, in its plain French form, in the situation it applies to', () => {
    for (const { pattern, rule, appliesWhen } of FORBIDDEN_PHRASES) {
      const situation = appliesWhen === 'consumer' ? CURRENT_CONSUMER : TIME_BARRED_BUSINESS;
      const sentence = `Objet : ${pattern.replace('…', 'resteront')} (voir ci-après)`;
      expect({ pattern, rules: rulesFound(sentence, situation) }).toEqual({ pattern, rules: [rule] });
    }
  });
});
