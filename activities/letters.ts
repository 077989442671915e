/**
 * A letter is a PDF, rendered from the exact text the compliance checker approved, stored with the
 * case before the provider sees it, and posted in the form the law asks for: a mise en demeure by
 * registered letter (paper, or electronic where CPCE L100 allows it), anything else by ordinary
 * mail.
 */
import { createHash } from 'node:crypto';
import type { SendMessageInput } from './contracts';
import { renderLetterPdf } from './documents/letter-pdf';
import { frenchDate, type ComposedMessage } from './messages/compose';
import type { Attachment, LetterForm } from './transports/transport';
import { parisDateOf } from '../domain/dates';
import { registeredLetterForm } from '../domain/registered-mail';
import type { DocumentKind } from '../models/document';
import type { DocumentStore } from './documents/store';
import type { CaseRecord } from '../models/case-record';

export interface LetterOptions {
  /** Send the mise en demeure as an LRE whenever CPCE L100 allows it (else always paper). */
  preferElectronicRegisteredMail: boolean;
}

export interface PreparedLetter {
  attachment: Attachment;
  form: LetterForm;
  /** The form chosen and why, for the journal. */
  formReason: string;
  /** For an LRE: where it is delivered. */
  email?: string;
  document: { id: string; kind: DocumentKind; filename: string; sha256: string; form: LetterForm };
}

const SENDING_MODE: Readonly<Record<LetterForm, string | undefined>> = {
  lrar: 'Lettre recommandée avec accusé de réception',
  lre: 'Lettre recommandée électronique',
  ordinary: undefined,
};

/**
 * A file name that says what it is without naming anyone, dated as the letter is: the Paris day
 * (between midnight and 01:00 or 02:00 Paris, the UTC day is still the day before).
 */
const filenameOf = (record: CaseRecord, kind: DocumentKind, at: Date): string =>
  `${kind === 'formal_notice' ? 'mise-en-demeure' : 'courrier'}-${record.reference}-${parisDateOf(at)}.pdf`.replace(
    /[^A-Za-z0-9._-]/g,
    '_',
  );

export function createLetterPreparation(documents: DocumentStore, options: LetterOptions) {
  function formOf(record: CaseRecord, input: SendMessageInput): { form: LetterForm; reason: string } {
    if (input.stage !== 'formal_notice') return { form: 'ordinary', reason: 'lettre simple' };
    const consent = record.debtor.lreConsentAt ? new Date(record.debtor.lreConsentAt) : undefined;
    return registeredLetterForm({
      debtorKind: record.debtor.kind,
      ...(consent ? { electronicConsentAt: consent } : {}),
      at: new Date(input.at),
      hasEmail: Boolean(record.debtor.email),
      preferElectronic: options.preferElectronicRegisteredMail,
    });
  }

  /** Renders and stores the letter once per idempotency key (see DocumentStore.keep). */
  async function prepare(
    record: CaseRecord,
    input: SendMessageInput,
    message: ComposedMessage,
  ): Promise<PreparedLetter> {
    const { form, reason } = formOf(record, input);
    const kind: DocumentKind = input.stage === 'formal_notice' ? 'formal_notice' : 'letter';
    const at = new Date(input.at);
    const sender = record.collector ?? record.creditor;
    const kept = await documents.keep(
      {
        // The text too: a later try with other amounts is another letter, not the bytes of the first.
        key: `${input.idempotencyKey}:${createHash('sha256').update(message.body).digest('hex').slice(0, 16)}`,
        caseId: record.caseId,
        kind,
        filename: filenameOf(record, kind, at),
        contentType: 'application/pdf',
        createdAt: at,
      },
      () =>
        renderLetterPdf({
          sender: {
            name: sender.name,
            address: sender.address,
            ...(sender.legalId ? { legalId: sender.legalId } : {}),
          },
          recipient: { name: record.debtor.name, address: record.debtor.address ?? '' },
          dateLine: `Le ${frenchDate(at)}`,
          reference: record.reference,
          ...(SENDING_MODE[form] ? { sendingMode: SENDING_MODE[form] } : {}),
          title: message.subject ?? 'Courrier',
          body: message.body,
          createdAt: at,
        }),
    );
    return {
      attachment: { filename: kept.filename, contentType: kept.contentType, content: kept.content },
      form,
      formReason: reason,
      ...(form === 'lre' && record.debtor.email ? { email: record.debtor.email } : {}),
      document: { id: kept.id, kind, filename: kept.filename, sha256: kept.sha256, form },
    };
  }

  return { prepare };
}
