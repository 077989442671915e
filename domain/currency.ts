/**
 * The currencies a claim may be stated in. Every message, letter and dossier states amounts with
 * `formatAmount` (fr-FR), and the accessories the product computes are euro amounts of French law:
 * the €40 indemnity (Code de commerce D441-5), the legal interest rate and the ECB rate behind the
 * late-payment penalties. A claim in another currency would have them added to a sum they do not
 * belong to, so only the euro is collected [default]; another currency needs those rules first.
 */
import { z } from 'zod';

export const SUPPORTED_CURRENCIES = ['EUR'] as const;
export type SupportedCurrency = (typeof SUPPORTED_CURRENCIES)[number];

/**
 * The active ISO 4217 codes (the list ICU ships with Node, which leaves out withdrawn currencies
 * such as FRF); used only to say why a code is refused.
 */
function isActiveIso4217(code: string): boolean {
  return Intl.supportedValuesOf('currency').includes(code);
}

/** Why a currency code cannot open a case, or undefined when it can. */
export function currencyProblem(code: string): string | undefined {
  if ((SUPPORTED_CURRENCIES as readonly string[]).includes(code)) return undefined;
  if (!/^[A-Z]{3}$/.test(code)) return 'must be an ISO 4217 code of three capital letters, such as EUR';
  if (!isActiveIso4217(code)) return `${code} is not an active ISO 4217 currency code`;
  return `${code} is not collected: amounts are stated only in ${SUPPORTED_CURRENCIES.join(', ')} (the indemnity and interest of French law are in euros)`;
}

export const currencySchema = z.string().superRefine((code, ctx) => {
  const problem = currencyProblem(code);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
