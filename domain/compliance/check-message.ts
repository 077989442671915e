/**
 * The gate before every send: a message with any violation is never sent; the caller journals it as
 * `blocked` with `describeViolations` as the summary, so a person can see which rule stopped it.
 */
import { findForbiddenWording, type ForbiddenWordingFinding } from './forbidden-wording';
import { checkMandatoryMentions, type MessageContext } from './mentions';

export interface OutgoingMessage {
  subject?: string;
  body: string;
}

export type ViolationKind = 'missing_mention' | 'forbidden_wording';

export interface ComplianceViolation {
  kind: ViolationKind;
  /** The mention id, or the forbidden phrase as listed. */
  id_or_phrase: string;
  article: string;
  detail: string;
}

export interface ComplianceVerdict {
  ok: boolean;
  violations: ComplianceViolation[];
}

type MessagePart = 'subject' | 'body';

function forbiddenWordingViolation(part: MessagePart, finding: ForbiddenWordingFinding): ComplianceViolation {
  return {
    kind: 'forbidden_wording',
    id_or_phrase: finding.phrase,
    article: finding.article,
    detail: `${finding.rule}: « ${finding.phrase} » in the ${part}: ${finding.excerpt}`,
  };
}

/**
 * Mentions are looked for in the body only: a letter has no subject, and a subject line is often
 * cut short by mail clients. Forbidden wording is looked for everywhere, each part on its own.
 */
export function checkMessage(message: OutgoingMessage, context: MessageContext): ComplianceVerdict {
  const situation = { timeBarred: context.timeBarred, debtorKind: context.debtorKind };
  const missingMentions = checkMandatoryMentions(message.body, context).missing.map(
    ({ id, article }): ComplianceViolation => ({
      kind: 'missing_mention',
      id_or_phrase: id,
      article,
      detail: `mandatory mention ${id} (${article}) is missing from the body`,
    }),
  );
  const parts: [MessagePart, string][] = [
    ['subject', message.subject ?? ''],
    ['body', message.body],
  ];
  const forbiddenWording = parts.flatMap(([part, text]) =>
    findForbiddenWording(text, situation).map((finding) => forbiddenWordingViolation(part, finding)),
  );
  const violations = [...missingMentions, ...forbiddenWording];
  return { ok: violations.length === 0, violations };
}

/** One line for the journal: which rules stopped the message. */
export function describeViolations(violations: readonly ComplianceViolation[]): string {
  return violations
    .map((violation) =>
      violation.kind === 'missing_mention'
        ? `missing ${violation.id_or_phrase} (${violation.article})`
        : `forbidden « ${violation.id_or_phrase} » (${violation.article})`,
    )
    .join('; ');
}
