/**
 * The French texts of every message, per stage and tone (courteous, firm, formal) and per
 * installment-plan template. Words only: the frame (greeting, mentions, closing, sender) and the
 * rendering live in ./compose.ts, the legal checks in domain/compliance.
 */
import type { Stage, Tone } from '../../domain/types';

/**
 * One message's own words, as Handlebars sources (rendered as plain text: nothing is HTML-escaped).
 * `{{total}}`, `{{invoices}}`, `{{nature}}` and `{{deadline}}` are always available; a variable a
 * template names but the message does not have stops the send (strict mode) instead of leaving a
 * hole in a letter. The mandatory mentions (R2) are not written here: the frame adds them.
 */
export interface MessageWording {
  /** Subject of an e-mail, title of a letter; an SMS has none. */
  subject: string;
  opening: string;
  sms: string;
  /** Said only when the claim is not time-barred (R1, R5). */
  courtAction?: string;
  /**
   * The sentence that announces the mise en demeure, said only when the case decided it will come
   * (R4: `formalNoticeFollows`); the subject and the rest of the words never mention it.
   */
  formalNoticeAnnouncement?: { written: string; sms: string };
}

export type WordingTable = Partial<Record<Stage, Partial<Record<Tone, MessageWording>>>>;

const FIRST_REMINDER: Record<Tone, MessageWording> = {
  courteous: {
    subject: 'Rappel : facture {{invoices}} en attente de règlement',
    opening:
      "Sauf erreur ou omission de notre part, nous n'avons pas encore reçu le règlement de la somme de {{total}} " +
      "relative à : {{nature}}. Il s'agit peut-être d'un simple oubli ; si vous avez réglé entre-temps, " +
      'merci de ne pas tenir compte de ce message.',
    sms: 'Rappel : la somme de {{total}} reste à régler.',
  },
  firm: {
    subject: 'Relance : facture {{invoices}} impayée',
    opening:
      "L'échéance est dépassée et la somme de {{total}} relative à : {{nature}} reste impayée à ce jour. " +
      'Nous vous demandons de procéder à son règlement dans les meilleurs délais.',
    sms: 'Relance : la somme de {{total}} est échue et reste impayée.',
  },
  formal: {
    subject: 'Relance : facture {{invoices}} impayée',
    opening:
      'Nous constatons que la somme de {{total}} relative à : {{nature}} demeure impayée. ' +
      'Nous vous invitons à en effectuer le règlement sans délai.',
    sms: 'Relance : la somme de {{total}} demeure impayée.',
  },
};

const SECOND_REMINDER: Record<Tone, MessageWording> = {
  courteous: {
    subject: 'Deuxième rappel : facture {{invoices}}',
    opening:
      'Nous revenons vers vous au sujet de la somme de {{total}} relative à : {{nature}}, toujours en attente de ' +
      'règlement. Si vous rencontrez une difficulté, contactez-nous : nous pouvons convenir ensemble ' +
      "d'une solution, par exemple un échéancier.",
    sms: 'Deuxième rappel : la somme de {{total}} reste à régler. Une difficulté ? Contactez-nous.',
  },
  firm: {
    subject: 'Deuxième relance : facture {{invoices}} impayée',
    opening:
      'Notre précédent rappel est resté sans effet : la somme de {{total}} relative à : {{nature}} reste due. ' +
      'Nous vous demandons de la régler sans attendre, ou de nous contacter rapidement pour convenir ' +
      "d'un échéancier.",
    sms: 'Deuxième relance : la somme de {{total}} reste due. Merci de la régler sans attendre.',
  },
  formal: {
    subject: 'Deuxième relance : facture {{invoices}} impayée',
    opening:
      'Malgré notre précédent rappel, la somme de {{total}} relative à : {{nature}} demeure impayée. ' +
      'Nous vous demandons de la régler sans délai.',
    sms: 'Deuxième relance : la somme de {{total}} demeure impayée.',
  },
};

const FINAL_REMINDER: Record<Tone, MessageWording> = {
  courteous: {
    subject: 'Dernier rappel : facture {{invoices}}',
    opening:
      "Malgré nos rappels, la somme de {{total}} relative à : {{nature}} n'a pas encore été réglée. " +
      'Si vous rencontrez une difficulté, contactez-nous : une solution reste possible.',
    sms: 'Dernier rappel : la somme de {{total}} reste à régler.',
    formalNoticeAnnouncement: {
      written: 'Sans règlement ou nouvelle de votre part, nous devrons vous adresser une mise en demeure.',
      sms: 'Sans règlement, une mise en demeure suivra.',
    },
  },
  firm: {
    subject: 'Dernière relance : facture {{invoices}}',
    opening:
      "Malgré nos relances, la somme de {{total}} relative à : {{nature}} n'a toujours pas été réglée. " +
      'Nous vous demandons de la régler sans attendre.',
    sms: 'Dernière relance : la somme de {{total}} reste due.',
    formalNoticeAnnouncement: {
      written: 'Sans règlement de votre part, nous vous adresserons une mise en demeure.',
      sms: 'Sans règlement, une mise en demeure suivra.',
    },
  },
  formal: {
    subject: 'Dernière relance : facture {{invoices}}',
    opening:
      'Malgré nos relances, la somme de {{total}} relative à : {{nature}} demeure impayée. ' +
      'Nous vous demandons de la régler sans délai.',
    sms: 'Dernière relance : la somme de {{total}} demeure impayée.',
    formalNoticeAnnouncement: {
      written: 'À défaut de règlement, nous vous adresserons une mise en demeure.',
      sms: 'Une mise en demeure suivra.',
    },
  },
};

const FORMAL_NOTICE_WORDING: MessageWording = {
  subject: 'Mise en demeure',
  // The demand with its deadline is one of the mandatory mentions below: not said twice.
  opening:
    'Malgré nos relances, la somme de {{total}} relative à : {{nature}} reste impayée à ce jour. ' +
    'La présente lettre vaut mise en demeure de payer.',
  sms: 'Mise en demeure : la somme de {{total}} est à régler au plus tard le {{deadline}}.',
  courtAction:
    'À défaut de règlement au plus tard le {{deadline}}, le créancier pourra engager une procédure judiciaire ' +
    'pour obtenir le paiement de sa créance.',
};

/**
 * The messages of an installment plan, by template. `{{schedule}}` lists every installment;
 * `{{installmentNumber}}`, `{{installmentDate}}`, `{{installmentAmount}}` name the one a reminder is
 * about; `{{total}}` is what remains owed.
 */
export const PLAN_WORDING: Readonly<Record<string, MessageWording>> = {
  'installment_plan.installment_plan_confirmation': {
    subject: 'Confirmation de votre échéancier : facture {{invoices}}',
    opening:
      "Nous vous confirmons l'échéancier convenu pour le règlement de la somme relative à : {{nature}}. " +
      'Échéances : {{schedule}}. Chaque échéance est à régler au plus tard à la date indiquée ; ' +
      "si vous rencontrez une difficulté, contactez-nous avant l'échéance.",
    sms: 'Votre échéancier de {{installmentCount}} échéances est confirmé : {{schedule}}.',
  },
  'installment_plan.installment_reminder': {
    subject: 'Rappel : échéance du {{installmentDate}}',
    opening:
      "Conformément à l'échéancier convenu, l'échéance n°{{installmentNumber}}, d'un montant de " +
      '{{installmentAmount}}, est à régler au plus tard le {{installmentDate}}. ' +
      'Si vous avez déjà réglé cette échéance, merci de ne pas tenir compte de ce message.',
    sms: 'Rappel : échéance n°{{installmentNumber}} de {{installmentAmount}} à régler au plus tard le {{installmentDate}}.',
  },
  'installment_plan.installment_missed': {
    subject: 'Échéance impayée du {{installmentDate}}',
    opening:
      "L'échéance n°{{installmentNumber}} de l'échéancier convenu, d'un montant de {{installmentAmount}}, " +
      "prévue le {{installmentDate}}, n'a pas été réglée à ce jour. Nous vous demandons de la régler sans délai. " +
      "À défaut, l'échéancier pourra prendre fin et la totalité de la somme restant due deviendra exigible.",
    sms: 'Échéance n°{{installmentNumber}} de {{installmentAmount}} du {{installmentDate}} impayée : merci de la régler sans délai.',
  },
};

/** A mise en demeure is formal whatever the policy says: one wording for every tone. */
export const DEFAULT_WORDING: WordingTable = {
  reminder_1: FIRST_REMINDER,
  reminder_2: SECOND_REMINDER,
  final_reminder: FINAL_REMINDER,
  formal_notice: { courteous: FORMAL_NOTICE_WORDING, firm: FORMAL_NOTICE_WORDING, formal: FORMAL_NOTICE_WORDING },
};

/**
 * Around the words: greeting, the court-action sentence only when the claim is not time-barred (R1,
 * R5), the mandatory mentions, the closing and who signs. The debtor is greeted "Madame, Monsieur"
 * and never named: the rendered text is stored in the journal, and keeping the debtor's identity
 * out of it keeps personal data in the case record.
 */
export const WRITTEN_FRAME = `Madame, Monsieur,

{{{opening}}}{{#if announcement}} {{{announcement}}}{{/if}}{{#if courtAction}} {{{courtAction}}}{{/if}}
{{#if barred}}

{{{barred}}}
{{/if}}

{{{mentions}}}

Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.
{{{sender}}}`;

export const SMS_FRAME = `{{{text}}}
{{{mentions}}}`;
