/**
 * The gate before every send: a message with any violation is never sent; the caller journals it as
 * `blocked` with `describeViolations` as the summary, so a person can see which rule stopped it.
 */
import { findForbiddenWording, normalizeForMatching, type ForbiddenWordingFinding } from './forbidden-wording';
import { checkMandatoryMentions, type MessageContext } from './mentions';

export interface OutgoingMessage {
  subject?: string;
  body: string;
}

export type ViolationKind = 'missing_mention' | 'forbidden_wording' | 'step_that_will_not_come';

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
  const violations = [...missingMentions, ...forbiddenWording, ...undueAnnouncements(parts, context)];
  return { ok: violations.length === 0, violations };
}

const FORMAL_NOTICE_WORDS = /mise en demeure|mettre en demeure|mettrons en demeure/u;
const DECEPTION = 'Code de la consommation L121-2 (R4: no deception)';

/**
 * R4: a message before the mise en demeure may announce it only if the case decided it will come
 * (`formalNoticeFollows`); a template that announces it anyway is stopped here, whatever its words.
 */
function undueAnnouncements(parts: [MessagePart, string][], context: MessageContext): ComplianceViolation[] {
  if (context.formalNoticeFollows !== false || context.stage === 'formal_notice') return [];
  return parts
    .filter(([, text]) => FORMAL_NOTICE_WORDS.test(normalizeForMatching(text)))
    .map(([part]) => ({
      kind: 'step_that_will_not_come',
      id_or_phrase: 'mise en demeure',
      article: DECEPTION,
      detail: `the ${part} announces a mise en demeure the case will not send`,
    }));
}

/** One line for the journal: which rules stopped the message. */
export function describeViolations(violations: readonly ComplianceViolation[]): string {
  return violations
    .map((violation) =>
      violation.kind === 'missing_mention'
        ? `mention obligatoire absente : ${violation.id_or_phrase} (${violation.article})`
        : violation.kind === 'step_that_will_not_come'
          ? `annonce « ${violation.id_or_phrase} », qui ne viendra pas (${violation.article})`
          : `formulation interdite « ${violation.id_or_phrase} » (${violation.article})`,
    )
    .join('; ');
}
