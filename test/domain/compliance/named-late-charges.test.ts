/**
 * R2, R3 (Code de commerce L441-10, D441-5): a business debtor's message whose creditor claims the
 * late charges names each on its own line — the penalties with their amount, rate and base, the
 * €40 indemnity under its legal name — or the mention `claim_breakdown` is missing.
 */
import { checkMandatoryMentions, renderMandatoryMentions, type MessageContext } from '../../../domain/compliance';
import { contextWith, courteousEmail, renderMentionsExcept } from './fixtures';

const NBSP = '\u00A0';
const base = contextWith({ debtorKind: 'business', collector: undefined });
const business: MessageContext = {
  ...base,
  claim: {
    ...base.claim,
    amounts: {
      principal: `1${'\u202F'}850,00${NBSP}€`,
      interest: `12,34${NBSP}€`,
      accessories: `80,00${NBSP}€`,
      total: `1${'\u202F'}942,34${NBSP}€`,
      lateCharges: {
        penalties: `12,34${NBSP}€`,
        rate: `12,15${NBSP}%`,
        rateBasis: 'taux de refinancement de la BCE majoré de 10 points',
        indemnity: `80,00${NBSP}€`,
        waivedWhenPrincipalPaid: false,
      },
    },
  },
};

const missing = (block: string, context = business) =>
  checkMandatoryMentions(courteousEmail(block), context).missing.map((mention) => mention.id);
const withBreakdown = (lines: string[]) => [renderMentionsExcept(business, 'claim_breakdown'), ...lines].join('\n');
const PRINCIPAL = `Principal : 1${'\u202F'}850,00${NBSP}€`;
const PENALTIES = `Intérêts — pénalités de retard : 12,34${NBSP}€, au taux annuel de 12,15${NBSP}% (taux de refinancement de la BCE majoré de 10 points), calculées sur le principal impayé (Code de commerce L441-10)`;
const INDEMNITY = `Autres accessoires — indemnité forfaitaire pour frais de recouvrement : 80,00${NBSP}€ (Code de commerce L441-10 et D441-5)`;

test('R2, R3 — the rendered breakdown names principal, penalties and the indemnity on lines of their own', () => {
  const block = renderMandatoryMentions(business);
  expect(missing(block)).toEqual([]);
  const lines = block.split('\n');
  expect(lines).toContain(PRINCIPAL);
  expect(
    lines.some((line) => line.startsWith('Intérêts — pénalités de retard : 12,34') && line.includes('12,15')),
  ).toBe(true);
  expect(
    lines.some((line) =>
      line.startsWith('Autres accessoires — indemnité forfaitaire pour frais de recouvrement : 80,00'),
    ),
  ).toBe(true);
});

test('R2, R3 — the €40 shown only as "autres accessoires" is refused', () => {
  const generic = `Détail de la somme due : principal 1${'\u202F'}850,00${NBSP}€ ; intérêts 12,34${NBSP}€ ; autres accessoires 80,00${NBSP}€`;
  expect(missing(withBreakdown([generic]))).toEqual(['claim_breakdown']);
  expect(missing(withBreakdown([PRINCIPAL, PENALTIES, `Autres accessoires : 80,00${NBSP}€`]))).toEqual([
    'claim_breakdown',
  ]);
  expect(missing(withBreakdown([PRINCIPAL, PENALTIES, INDEMNITY]))).toEqual([]);
});

test('L441-10 — penalties without their rate, or split from their amount over two lines, are refused', () => {
  const noRate = `Intérêts — pénalités de retard : 12,34${NBSP}€, calculées sur le principal impayé (Code de commerce L441-10)`;
  expect(missing(withBreakdown([PRINCIPAL, noRate, INDEMNITY]))).toEqual(['claim_breakdown']);
  const split = [
    'Intérêts — pénalités de retard (Code de commerce L441-10), au taux annuel de 12,15 % sur le principal impayé :',
    `12,34${NBSP}€`,
  ];
  expect(missing(withBreakdown([PRINCIPAL, ...split, INDEMNITY]))).toEqual(['claim_breakdown']);
});

test('without claimed charges (consumer, or waived) the plain breakdown suffices and names no charge', () => {
  const consumer = contextWith({ debtorKind: 'consumer', collector: undefined });
  const block = renderMandatoryMentions(consumer);
  expect(missing(block, consumer)).toEqual([]);
  expect(block).not.toMatch(/pénalités de retard|indemnité forfaitaire/);
});
