import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import twilio from 'twilio';

/**
 * Signs as SendGrid's Signed Event Webhook does: ECDSA P-256 / SHA-256 over timestamp + body, the
 * DER signature in base64; `verificationKey` is what SendGrid's Mail Settings show (SPKI, base64).
 */
export function sendgridSigner() {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    /** For tests that sign something other than a JSON body (bytes that are not UTF-8). */
    privateKey: pair.privateKey,
    verificationKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    headers(payload: string, timestampSeconds: number, key: KeyObject = pair.privateKey): Record<string, string> {
      const timestamp = String(timestampSeconds);
      return {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-timestamp': timestamp,
        'x-twilio-email-event-webhook-signature': sign(
          'sha256',
          Buffer.from(timestamp + payload, 'utf8'),
          key,
        ).toString('base64'),
      };
    },
  };
}

/** As Twilio signs a webhook: HMAC-SHA1 of the public URL it called and the sorted parameters. */
export function twilioSignature(authToken: string, publicUrl: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, publicUrl, params);
}
