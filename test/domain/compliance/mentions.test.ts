import fc from 'fast-check';
import {
  L111_8_PARAGRAPHS_2_AND_3,
  MANDATORY_MENTIONS,
  MENTIONS_REQUIRED_BY_CHANNEL,
  applicableMentions,
  checkMandatoryMentions,
  checkMessage,
  renderMandatoryMentions,
  type MentionId,
  type MessageContext,
} from '../../../domain/compliance';
import { CHANNELS, STAGES } from '../../../domain/types';
import {
  COLLECTOR,
  CREDITOR,
  FIRST_EMAIL_BY_COLLECTOR,
  FIRST_EMAIL_BY_CREDITOR,
  FIRST_LETTER,
  FORMAL_NOTICE_LETTER,
  FULL_CHANNEL_CONTEXTS,
  LATER_EMAIL_BY_COLLECTOR,
  NBSP,
  NNBSP,
  PAYMENT_INSTRUCTIONS,
  contextWith,
  courteousEmail,
  frenchAmount,
  renderMentionsExcept,
} from './fixtures';

function missingIds(text: string, context: MessageContext): MentionId[] {
  return checkMandatoryMentions(text, context).missing.map((missing) => missing.id);
}

function applicableIds(context: MessageContext): MentionId[] {
  return applicableMentions(context).map((definition) => definition.id);
}

const [PARAGRAPH_2, PARAGRAPH_3] = L111_8_PARAGRAPHS_2_AND_3;

/** The mandatory block with one mention's line replaced, to test how that mention is recognised. */
function blockWith(context: MessageContext, id: MentionId, replacement: string): string {
  return [renderMentionsExcept(context, id), replacement].join('\n');
}

describe('a complete compliant email', () => {
  test.each(FULL_CHANNEL_CONTEXTS)('%s: the rendered mentions satisfy every applicable mention', (_name, context) => {
    const body = courteousEmail(renderMandatoryMentions(context));
    expect(checkMandatoryMentions(body, context).missing).toEqual([]);
    expect(checkMessage({ subject: 'Rappel amiable : factures en attente', body }, context)).toEqual({
      ok: true,
      violations: [],
    });
  });

  const removals = FULL_CHANNEL_CONTEXTS.flatMap(([name, context]) =>
    applicableIds(context).map((id): [string, MentionId, MessageContext] => [name, id, context]),
  );
  test.each(removals)('%s: without %s the message is refused, naming that mention', (_name, id, context) => {
    const body = courteousEmail(renderMentionsExcept(context, id));
    expect(missingIds(body, context)).toContain(id);
    const verdict = checkMessage({ body }, context);
    expect(verdict.ok).toBe(false);
    expect(verdict.violations).toContainEqual(expect.objectContaining({ kind: 'missing_mention', id_or_phrase: id }));
  });
});

describe('CPCE R124-4 1° — the collection company', () => {
  test('CPCE R124-4 1° — a message without the collector\u2019s name is refused', () => {
    const body = courteousEmail(renderMentionsExcept(LATER_EMAIL_BY_COLLECTOR, 'collector_name'));
    const verdict = checkMessage({ body }, LATER_EMAIL_BY_COLLECTOR);
    expect(verdict.ok).toBe(false);
    expect(verdict.violations).toEqual([
      expect.objectContaining({ kind: 'missing_mention', id_or_phrase: 'collector_name', article: 'CPCE R124-4 1°' }),
    ]);
  });

  test('CPCE R124-4 1° — its address and the statement that it does amicable collection for the creditor are required', () => {
    const withoutActivity = blockWith(FIRST_EMAIL_BY_COLLECTOR, 'collector_activity', 'Recouvrement amiable.');
    expect(missingIds(courteousEmail(withoutActivity), FIRST_EMAIL_BY_COLLECTOR)).toEqual(['collector_activity']);
    const withoutAddress = renderMentionsExcept(FIRST_EMAIL_BY_COLLECTOR, 'collector_address');
    expect(missingIds(courteousEmail(withoutAddress), FIRST_EMAIL_BY_COLLECTOR)).toEqual(['collector_address']);
  });

  test('CPCE R124-4 1° — the collector mentions and the L111-8 quotation apply only when a collector acts', () => {
    const collectorOnly: MentionId[] = ['collector_name', 'collector_address', 'collector_activity', 'l111_8_text'];
    expect(applicableIds(FIRST_EMAIL_BY_COLLECTOR)).toEqual(expect.arrayContaining(collectorOnly));
    for (const id of collectorOnly) expect(applicableIds(FIRST_EMAIL_BY_CREDITOR)).not.toContain(id);
  });

  test('CPCE R124-4 1° — a blank collector name is never "present"', () => {
    const context = contextWith({ collector: { name: '  ', address: COLLECTOR.address } });
    expect(missingIds(courteousEmail(renderMandatoryMentions(context)), context)).toContain('collector_name');
  });
});

describe('CPCE R124-4 2° — the creditor', () => {
  test('CPCE R124-4 2° — the creditor\u2019s name and address are required, whatever the case and layout', () => {
    const body = courteousEmail(renderMandatoryMentions(FIRST_EMAIL_BY_CREDITOR))
      .replace(CREDITOR.name, CREDITOR.name.toUpperCase())
      .replace('14 rue des Tanneurs, 69002 Lyon', `14${NBSP}rue des Tanneurs\n69002${NNBSP}Lyon`);
    expect(missingIds(body, FIRST_EMAIL_BY_CREDITOR)).toEqual([]);
    expect(missingIds(body.replace('69002', '69003'), FIRST_EMAIL_BY_CREDITOR)).toEqual(['creditor_address']);
    expect(missingIds(body.replace('LUMIÈRE', 'LUMINEUX'), FIRST_EMAIL_BY_CREDITOR)).toEqual(
      expect.arrayContaining(['creditor_name']),
    );
  });
});

describe('CPCE R124-4 3° — basis and amounts', () => {
  const context = LATER_EMAIL_BY_COLLECTOR;

  test('CPCE R124-4 3° — every invoice number is required, not a prefix of it', () => {
    const oneInvoice = blockWith(context, 'invoice_numbers', 'Facture concernée : F-2025-0412');
    expect(missingIds(courteousEmail(oneInvoice), context)).toEqual(['invoice_numbers']);
    const longerNumbers = blockWith(context, 'invoice_numbers', 'Factures : F-2025-04121, F-2025-0467-B');
    expect(missingIds(courteousEmail(longerNumbers), context)).toEqual(['invoice_numbers']);
  });

  test('CPCE R124-4 3° — principal, interest and accessories are each stated next to their own label', () => {
    const { principal, interest, accessories } = context.claim.amounts;
    const swapped = blockWith(
      context,
      'claim_breakdown',
      `Détail : principal ${principal} ; intérêts ${accessories} ; autres accessoires ${interest}`,
    );
    expect(missingIds(courteousEmail(swapped), context)).toEqual(['claim_breakdown']);
    const unlabelled = blockWith(context, 'claim_breakdown', `Détail : ${principal}, ${interest}, ${accessories}`);
    expect(missingIds(courteousEmail(unlabelled), context)).toEqual(['claim_breakdown']);
    const reworded = blockWith(
      context,
      'claim_breakdown',
      `Principal : ${principal}\nIntérêts de retard (taux contractuel 12 %) : ${interest}\nAccessoires : ${accessories}`,
    );
    expect(missingIds(courteousEmail(reworded), context)).toEqual([]);
  });

  test('CPCE R124-4 3° — equal amounts are told apart by their labels', () => {
    const zero = `0,00${NBSP}€`;
    const equal = contextWith({
      claim: {
        ...context.claim,
        amounts: { principal: '100,00 €', interest: zero, accessories: zero, total: '100,00 €' },
      },
    });
    const interestOnly = blockWith(
      equal,
      'claim_breakdown',
      `principal 100,00 € ; intérêts ${zero} ; autres accessoires`,
    );
    expect(missingIds(courteousEmail(interestOnly), equal)).toEqual(['claim_breakdown']);
  });

  test('CPCE R124-4 3° — an amount is not read inside a larger one (850,00 € is not stated by 1 850,00 €)', () => {
    const total = contextWith({
      claim: { ...context.claim, amounts: { ...context.claim.amounts, total: '850,00 €' } },
    });
    const body = courteousEmail(renderMentionsExcept(total, 'claim_total'));
    expect(body).toContain(`1${NNBSP}850,00`);
    expect(missingIds(body, total)).toEqual(['claim_total']);
  });

  test('CPCE R124-4 3° — the basis of the claim is required', () => {
    const vague = blockWith(context, 'claim_basis', 'Fondement de la créance : contrat de maintenance');
    expect(missingIds(courteousEmail(vague), context)).toEqual(['claim_basis']);
  });
});

describe('CPCE R124-4 4° — demand to pay and how', () => {
  test('CPCE R124-4 4° — payment instructions without a demand to pay are refused, and the reverse', () => {
    const context = LATER_EMAIL_BY_COLLECTOR;
    const noDemand = blockWith(context, 'payment_demand', `Modalités de paiement : ${PAYMENT_INSTRUCTIONS}`);
    expect(missingIds(courteousEmail(noDemand), context)).toEqual(['payment_demand']);
    const noInstructions = blockWith(context, 'payment_demand', 'Merci de régler cette somme au plus vite.');
    expect(missingIds(courteousEmail(noInstructions), context)).toEqual(['payment_demand']);
    const otherWording = blockWith(
      context,
      'payment_demand',
      `Merci de procéder au règlement par ${PAYMENT_INSTRUCTIONS}.`,
    );
    expect(missingIds(courteousEmail(otherWording), context)).toEqual([]);
  });
});

describe('CPCE R124-4 5° — L111-8 paragraphs 2 and 3', () => {
  const context = LATER_EMAIL_BY_COLLECTOR;
  const withQuotation = (quotation: string) => courteousEmail(blockWith(context, 'l111_8_text', quotation));

  test('CPCE R124-4 5° — L111-8 al. 2-3 reproduced verbatim', () => {
    expect(L111_8_PARAGRAPHS_2_AND_3).toEqual([
      "Les frais de recouvrement entrepris sans titre exécutoire restent à la charge du créancier, sauf s'ils concernent un acte dont l'accomplissement est prescrit par la loi au créancier. Toute stipulation contraire est réputée non écrite, sauf disposition législative contraire.",
      "Cependant, le créancier qui justifie du caractère nécessaire des démarches entreprises pour recouvrer sa créance peut demander au juge de l'exécution de laisser tout ou partie des frais ainsi exposés à la charge du débiteur de mauvaise foi.",
    ]);
    expect(renderMandatoryMentions(context)).toContain(PARAGRAPH_2);
    expect(renderMandatoryMentions(context)).toContain(PARAGRAPH_3);
    expect(missingIds(withQuotation(`${PARAGRAPH_2}\n${PARAGRAPH_3}`), context)).toEqual([]);
  });

  test('CPCE R124-4 5° — a partial or altered L111-8 quotation does not count', () => {
    const partials = [
      PARAGRAPH_2 ?? '',
      PARAGRAPH_3 ?? '',
      `${PARAGRAPH_2} ${PARAGRAPH_3?.slice(0, -20)}`,
      `${PARAGRAPH_2?.replace('restent à la charge du créancier', 'restent à la charge du débiteur')} ${PARAGRAPH_3}`,
      `${PARAGRAPH_2?.replace(' Toute stipulation contraire est réputée non écrite, sauf disposition législative contraire.', '')} ${PARAGRAPH_3}`,
      `${PARAGRAPH_2} ${PARAGRAPH_3?.replace('exposés', 'exposes')}`,
      `${PARAGRAPH_2?.replace('réputée', 'reputee')} ${PARAGRAPH_3}`,
    ];
    for (const partial of partials) expect(missingIds(withQuotation(partial), context)).toEqual(['l111_8_text']);
  });

  test('CPCE R124-4 5° — line wrapping, no-break spaces and typographic apostrophes do not change the quotation', () => {
    const wrapped = `« ${PARAGRAPH_2} »\n« ${PARAGRAPH_3} »`
      .replace(/'/g, '\u2019')
      .replace(/ (?=\S{8})/g, '\n')
      .replace(/ :/g, `${NNBSP}:`)
      .replace(/sauf /g, `sauf${NBSP}`);
    expect(missingIds(withQuotation(wrapped), context)).toEqual([]);
  });
});

describe('CPCE R124-4 last paragraph and R7 — first and later messages', () => {
  test('R7 — the first message names the controller and the rights; later ones repeat the first letter\u2019s reference and date', () => {
    const firstOnly: MentionId[] = ['data_controller', 'data_purpose', 'data_rights'];
    expect(applicableIds(FIRST_EMAIL_BY_COLLECTOR)).toEqual(expect.arrayContaining(firstOnly));
    expect(applicableIds(FIRST_EMAIL_BY_COLLECTOR)).not.toContain('first_letter_reference');
    expect(applicableIds(LATER_EMAIL_BY_COLLECTOR)).toContain('first_letter_reference');
    for (const id of firstOnly) expect(applicableIds(LATER_EMAIL_BY_COLLECTOR)).not.toContain(id);

    const rendered = renderMandatoryMentions(LATER_EMAIL_BY_COLLECTOR);
    expect(rendered).toContain(FIRST_LETTER.reference);
    expect(rendered).toContain(FIRST_LETTER.date);
    const wrongDate = rendered.replace(FIRST_LETTER.date, '4 mars 2026');
    expect(missingIds(courteousEmail(wrongDate), LATER_EMAIL_BY_COLLECTOR)).toEqual(['first_letter_reference']);
  });

  test('R7 — the controller is the collector when one acts, otherwise the creditor', () => {
    const creditorAsController = courteousEmail(renderMandatoryMentions(FIRST_EMAIL_BY_CREDITOR));
    expect(missingIds(creditorAsController, FIRST_EMAIL_BY_COLLECTOR)).toContain('collector_name');
    expect(missingIds(creditorAsController, FIRST_EMAIL_BY_COLLECTOR)).toContain('data_controller');
    expect(renderMandatoryMentions(FIRST_EMAIL_BY_COLLECTOR)).toMatch(/société de recouvrement désignée ci-dessus/);
  });

  test('R7 — every right is named, and the right to complain to the CNIL', () => {
    const rights = renderMandatoryMentions(FIRST_EMAIL_BY_COLLECTOR)
      .split('\n')
      .find((line) => line.includes('CNIL'));
    expect(rights).toBeDefined();
    const context = FIRST_EMAIL_BY_COLLECTOR;
    for (const dropped of [
      "d'effacement, ",
      "d'opposition",
      ' ; vous pouvez aussi introduire une réclamation auprès de la CNIL',
    ]) {
      const body = courteousEmail(blockWith(context, 'data_rights', (rights ?? '').replace(dropped, '')));
      expect(missingIds(body, context)).toEqual(['data_rights']);
    }
  });
});

describe('R5 — the mise en demeure', () => {
  test('R5 — a mise en demeure carries its title and its deadline', () => {
    expect(applicableIds(FORMAL_NOTICE_LETTER)).toEqual(
      expect.arrayContaining(['formal_notice_title', 'formal_notice_deadline']),
    );
    expect(applicableIds(LATER_EMAIL_BY_COLLECTOR)).not.toContain('formal_notice_title');
    expect(renderMandatoryMentions(FORMAL_NOTICE_LETTER)).toContain('au plus tard le 20 mars 2026');
  });

  test('R5 — without a deadline in the case, a mise en demeure cannot pass', () => {
    const noDeadline = { ...FORMAL_NOTICE_LETTER, formalNoticeDeadline: undefined };
    const body = courteousEmail(renderMandatoryMentions(noDeadline));
    expect(missingIds(body, noDeadline)).toEqual(['formal_notice_deadline']);
  });
});

describe('R2 [default] — channel policy', () => {
  const sms = contextWith({ channel: 'sms', firstMessage: FIRST_LETTER });

  test('R2 [default] — an SMS needs only the creditor, the collector, the total, the invoices and the demand to pay', () => {
    expect(applicableIds(sms).sort()).toEqual(
      ['claim_total', 'collector_name', 'creditor_name', 'invoice_numbers', 'payment_demand'].sort(),
    );
    expect(applicableIds({ ...sms, collector: undefined })).not.toContain('collector_name');
    const text = `Bonjour, ${renderMandatoryMentions(sms).replace(/\n/g, ' / ')}`;
    expect(checkMessage({ body: text }, sms)).toEqual({ ok: true, violations: [] });
    expect(missingIds(text.replace(COLLECTOR.name, 'Recouvra'), sms)).toEqual(['collector_name']);
  });

  test('R2 [default] — a call carries no written mentions, but its script is still checked for wording', () => {
    const call = contextWith({ channel: 'call' });
    expect(MENTIONS_REQUIRED_BY_CHANNEL.call).toEqual([]);
    expect(checkMessage({ body: 'Appeler le client au sujet du règlement.' }, call).ok).toBe(true);
    expect(checkMessage({ body: 'Annoncer un dernier avis avant saisie.' }, call).ok).toBe(false);
  });

  test('R2 — email and letter carry every mention that applies to the case', () => {
    expect(MENTIONS_REQUIRED_BY_CHANNEL.email).toBe('all');
    expect(MENTIONS_REQUIRED_BY_CHANNEL.letter).toBe('all');
    expect(applicableIds(FIRST_EMAIL_BY_COLLECTOR)).toHaveLength(MANDATORY_MENTIONS.length - 3);
  });
});

describe('rendering', () => {
  const word = fc.stringMatching(/^[A-Z][a-z]{3,9}$/);
  const party = fc.record({
    name: fc.tuple(word, fc.constantFrom('SAS', 'SARL', 'SA', 'EURL')).map(([name, form]) => `${name} ${form}`),
    address: fc
      .tuple(
        fc.integer({ min: 1, max: 199 }),
        fc.constantFrom('rue', 'avenue', 'place'),
        word,
        fc.integer({ min: 1000, max: 95999 }),
        word,
      )
      .map(
        ([number, way, street, postcode, city]) =>
          `${number} ${way} ${street}\n${String(postcode).padStart(5, '0')} ${city}`,
      ),
  });
  const cents = fc.integer({ min: 0, max: 5_000_000 });
  const context: fc.Arbitrary<MessageContext> = fc.record({
    creditor: party,
    collector: fc.option(party, { nil: undefined }),
    claim: fc.record({
      basis: fc.tuple(word, fc.integer({ min: 1, max: 99999 })).map(([kind, number]) => `Contrat ${kind} n° ${number}`),
      invoiceNumbers: fc.uniqueArray(fc.stringMatching(/^F-20[0-9]{2}-[0-9]{3,5}$/), { minLength: 0, maxLength: 4 }),
      amounts: fc.tuple(cents, cents, cents).map(([principal, interest, accessories]) => ({
        principal: frenchAmount(principal),
        interest: frenchAmount(interest),
        accessories: frenchAmount(accessories),
        total: frenchAmount(principal + interest + accessories),
      })),
    }),
    paymentInstructions: fc.constantFrom(PAYMENT_INSTRUCTIONS, 'chèque à l’ordre du créancier, à l’adresse ci-dessus'),
    firstMessage: fc.option(fc.constant(FIRST_LETTER), { nil: undefined }),
    formalNoticeDeadline: fc.option(fc.constant('20 mars 2026'), { nil: undefined }),
    debtorKind: fc.constantFrom('consumer' as const, 'business' as const),
    channel: fc.constantFrom(...CHANNELS),
    stage: fc.constantFrom(...STAGES),
    timeBarred: fc.boolean(),
  });

  test('the rendered block satisfies every mention it renders, for any case', () => {
    fc.assert(
      fc.property(context, (generated) => {
        const withDeadline =
          generated.stage === 'formal_notice' ? { ...generated, formalNoticeDeadline: '20 mars 2026' } : generated;
        expect(missingIds(courteousEmail(renderMandatoryMentions(withDeadline)), withDeadline)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  test('the block has one line per applicable mention, and nothing for an SMS that the SMS does not need', () => {
    const lines = renderMandatoryMentions(LATER_EMAIL_BY_COLLECTOR).split('\n');
    // The L111-8 mention spans three lines: its heading and both quoted paragraphs.
    expect(lines).toHaveLength(applicableIds(LATER_EMAIL_BY_COLLECTOR).length + 2);
    const sms = renderMandatoryMentions(contextWith({ channel: 'sms' }));
    expect(sms).not.toContain('L. 111-8');
    expect(sms).not.toContain('CNIL');
  });
});
