/**
 * Where the handoff dossier goes: the commissaire de justice's webhook (their case-intake API), an
 * e-mail address, or nowhere while neither is configured (simulated, and the journal says so).
 */
import { signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../transports/hmac-signature';
import { postJson } from '../transports/http-json';
import type { Attachment, MessageTransport } from '../transports/transport';

export interface DossierPackage {
  caseId: string;
  reference: string;
  idempotencyKey: string;
  manifest: Attachment;
  summary: Attachment;
}

export interface DossierDelivery {
  readonly simulated: boolean;
  /** For the journal, in French: where it went, without credentials. */
  readonly destination: string;
  /** Errors as for message transports: `PermanentDeliveryError` is not retried. */
  deliver(dossier: DossierPackage): Promise<{ providerMessageId?: string }>;
}

export class SimulatedDossierDelivery implements DossierDelivery {
  readonly simulated = true;
  readonly destination = 'aucune destination configurée';
  readonly delivered: DossierPackage[] = [];

  async deliver(dossier: DossierPackage): Promise<{ providerMessageId: string }> {
    // Only the latest few: they hold personal data, and a long-running worker must not hoard it.
    this.delivered.push(dossier);
    if (this.delivered.length > 100) this.delivered.shift();
    return { providerMessageId: `sim-${dossier.idempotencyKey}` };
  }
}

export interface WebhookDeliveryOptions {
  url: string;
  /** Signs the body (transports/hmac-signature.ts) so the receiver can tell it is us. */
  secret?: string;
}

/**
 * POSTs the dossier as JSON: the manifest itself, and both files in base64 with their SHA-256.
 * The `Idempotency-Key` header lets the receiver drop a retry of a dossier it already has.
 */
export class WebhookDossierDelivery implements DossierDelivery {
  readonly simulated = false;
  readonly destination: string;

  constructor(private readonly options: WebhookDeliveryOptions) {
    this.destination = `webhook ${new URL(options.url).origin}`;
  }

  async deliver(dossier: DossierPackage): Promise<{ providerMessageId?: string }> {
    const body = JSON.stringify({
      caseId: dossier.caseId,
      reference: dossier.reference,
      manifest: JSON.parse(dossier.manifest.content.toString('utf8')) as unknown,
      files: [dossier.manifest, dossier.summary].map((file) => ({
        filename: file.filename,
        contentType: file.contentType,
        contentBase64: file.content.toString('base64'),
      })),
    });
    const headers: Record<string, string> = { 'idempotency-key': dossier.idempotencyKey };
    if (this.options.secret) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers[TIMESTAMP_HEADER] = String(timestamp);
      headers[SIGNATURE_HEADER] = signBody(this.options.secret, body, timestamp);
    }
    const { headers: answered } = await postJson({ url: this.options.url, body, headers, what: 'dossier webhook' });
    const reference = answered.get('x-request-id') ?? answered.get('location') ?? undefined;
    return reference ? { providerMessageId: reference } : {};
  }
}

/** By e-mail, through the configured e-mail transport (SendGrid): the two files attached. */
export class EmailDossierDelivery implements DossierDelivery {
  readonly simulated: boolean;
  readonly destination: string;

  constructor(
    private readonly transport: MessageTransport,
    private readonly to: string,
  ) {
    this.simulated = transport.simulated;
    this.destination = 'e-mail à l’adresse configurée';
  }

  deliver(dossier: DossierPackage): Promise<{ providerMessageId?: string }> {
    return this.transport.send({
      to: this.to,
      subject: `Transmission de dossier — créance ${dossier.reference}`,
      body:
        'Madame, Maître,\n\nVeuillez trouver ci-joint le dossier de la créance ' +
        `${dossier.reference} (dossier ${dossier.caseId}) : le manifeste JSON et le récapitulatif PDF, ` +
        'avec le journal complet des échanges, les factures, la mise en demeure et sa preuve d’envoi, ' +
        'le décompte daté et le statut de prescription.\n\nBien cordialement.',
      idempotencyKey: dossier.idempotencyKey,
      caseId: dossier.caseId,
      attachments: [dossier.manifest, dossier.summary],
    });
  }
}
