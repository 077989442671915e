/**
 * How a mise en demeure travels (R5): a registered letter. Its electronic form, the lettre
 * recommandée électronique (LRE), is as good as paper for a professional, but a non-professional
 * must have consented to it beforehand, expressly (Code des postes et des communications
 * électroniques, L100). Without that consent, paper: an LRE sent to a consumer who never agreed to
 * it is not a valid notice.
 */
import type { DebtorKind } from './types';

export type RegisteredLetterForm = 'lrar' | 'lre';

export interface RegisteredLetterSituation {
  debtorKind: DebtorKind;
  /** When the debtor expressly agreed to receive registered mail electronically, if ever. */
  electronicConsentAt?: Date;
  /** The notice is being decided now: a consent given later does not count. */
  at: Date;
  /** An LRE is addressed to an e-mail address. */
  hasEmail: boolean;
  /** The creditor's choice (configuration): electronic whenever the law allows it, or always paper. */
  preferElectronic: boolean;
}

export interface RegisteredLetterChoice {
  form: RegisteredLetterForm;
  /** Why, for the journal. */
  reason: string;
}

export function registeredLetterForm(situation: RegisteredLetterSituation): RegisteredLetterChoice {
  if (!situation.preferElectronic)
    return { form: 'lrar', reason: 'lettre recommandée avec accusé de réception (LRAR), selon la configuration' };
  if (!situation.hasEmail)
    return { form: 'lrar', reason: 'LRAR : aucune adresse e-mail pour une lettre recommandée électronique' };
  if (situation.debtorKind === 'consumer') {
    const consent = situation.electronicConsentAt;
    if (!consent || Number.isNaN(consent.getTime()) || consent.getTime() > situation.at.getTime()) {
      return {
        form: 'lrar',
        reason:
          'LRAR : consommateur sans consentement préalable exprès à la lettre recommandée électronique (CPCE L100)',
      };
    }
    return {
      form: 'lre',
      reason: 'lettre recommandée électronique (LRE) : consentement préalable du consommateur (CPCE L100)',
    };
  }
  return { form: 'lre', reason: 'lettre recommandée électronique (LRE) à un professionnel' };
}
