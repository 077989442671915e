import { createHash } from 'node:crypto';
import { postJson } from './http-json';
import type { MessageTransport, OutboundMessage } from './transport';

export interface HttpLetterOptions {
  /** The provider's endpoint that takes one letter (paper LRAR, LRE or ordinary mail). */
  url: string;
  token: string;
}

/**
 * The registered-letter provider interface, over HTTP: one JSON request per letter with the PDF,
 * the form (lrar / lre / ordinary) and the recipient, and an `Idempotency-Key` header so that a
 * provider that honours it drops a repeat. Postal services (La Poste's e-Lettre recommandée,
 * Maileva, AR24 for LRE…) each have their own API: an adapter in front of one of them speaks this.
 */
export class HttpLetterTransport implements MessageTransport {
  readonly simulated = false;
  /** The interface's contract: a repeat of an `Idempotency-Key` is answered, not posted again. */
  readonly resendIsIdempotent = true;

  constructor(private readonly options: HttpLetterOptions) {}

  async send(message: OutboundMessage): Promise<{ providerMessageId?: string }> {
    const [document] = message.attachments ?? [];
    if (!document || !message.letter) throw new Error('a letter needs its PDF and its form');
    const [name = '', ...addressLines] = message.to.split('\n');
    const { json } = await postJson({
      url: this.options.url,
      what: 'letter provider',
      headers: { authorization: `Bearer ${this.options.token}`, 'idempotency-key': message.idempotencyKey },
      body: {
        reference: message.idempotencyKey,
        form: message.letter.form,
        recipient: {
          name,
          postalAddress: addressLines.join('\n'),
          ...(message.letter.email ? { email: message.letter.email } : {}),
        },
        document: {
          filename: document.filename,
          contentType: document.contentType,
          sha256: createHash('sha256').update(document.content).digest('hex'),
          contentBase64: document.content.toString('base64'),
        },
      },
    });
    const id =
      (json as { id?: unknown; trackingNumber?: unknown } | null)?.trackingNumber ??
      (json as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? { providerMessageId: id } : {};
  }
}
