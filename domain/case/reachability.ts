/**
 * Which channels can reach the debtor at all. The workflow holds no contact details (R7), only
 * what intake told it: on which channels the debtor has an address or a number
 * (`CaseInput.reachableChannels`). A message is never decided, deferred or journaled for a channel
 * the debtor has no address on: a consumer known only by a phone number gets no « e-mail reporté ».
 *
 * The policy when a step's channel cannot reach the debtor (what a collection manager expects: no
 * reminder silently skipped, no step pretending to have gone):
 * - a step keeps the channels it has that reach the debtor; one it cannot use is dropped;
 * - a reminder step left with no written channel (e-mail, SMS, courrier) is sent by the first
 *   written channel the debtor has, in the order e-mail, SMS, courrier, and the journal says so
 *   once: « relance 1 prévue par SMS (aucune adresse e-mail connue) »;
 * - when no written channel reaches the debtor, the journal says once that the reminder was not
 *   sent and why, and the sequence moves on (a call task still goes to an agent if a number exists);
 * - a mise en demeure goes by registered letter only: without a postal address it is not sent and
 *   the case is paused for a person (R5), like any notice that could not go;
 * - an installment plan's messages use the first written channel that reaches the debtor.
 *
 * A case opened before intake said anything (`reachableChannels` absent) reaches every channel, as
 * it always did: its history replays unchanged.
 */
import { channelName } from '../french-text';
import type { PolicyStep } from '../policies';
import type { Channel } from '../types';
import type { CaseState } from './types';

export const WRITTEN_CHANNELS = ['email', 'sms', 'letter'] as const satisfies readonly Channel[];

const MISSING: Readonly<Record<Channel, string>> = {
  email: 'aucune adresse e-mail connue',
  sms: 'aucun numéro de téléphone connu',
  letter: 'aucune adresse postale connue',
  call: 'aucun numéro de téléphone connu',
};

/** Why a channel cannot reach the debtor, in the journal's words. */
export const missingContactText = (channel: Channel): string => MISSING[channel];

export function isReachable(state: CaseState, channel: Channel): boolean {
  const reachable = state.input.reachableChannels;
  return reachable === undefined || reachable.includes(channel);
}

export interface StepChannels {
  /** The channels the step will use, in the step's order (a substitute takes the place of the first missing one). */
  channels: Channel[];
  /** The channels of the step that cannot reach the debtor. */
  unreachable: Channel[];
  /** A written channel used because none of the step's written channels reaches the debtor. */
  substitute?: Channel;
  /** True when the step has written channels and none of them, nor any substitute, reaches the debtor. */
  noWrittenChannel: boolean;
}

const isWritten = (channel: Channel): boolean => (WRITTEN_CHANNELS as readonly Channel[]).includes(channel);

/** The channels a step of the sequence really uses for this debtor (see the policy above). */
export function stepChannels(state: CaseState, step: Pick<PolicyStep, 'stage' | 'channels'>): StepChannels {
  const unreachable = step.channels.filter((channel) => !isReachable(state, channel));
  const channels = step.channels.filter((channel) => isReachable(state, channel));
  const wantedWritten = step.channels.some(isWritten);
  if (!wantedWritten || channels.some(isWritten)) return { channels, unreachable, noWrittenChannel: false };
  if (step.stage === 'formal_notice') return { channels, unreachable, noWrittenChannel: true };
  // A closed channel (opt-out) is no substitute: the debtor refused it.
  const substitute = WRITTEN_CHANNELS.find(
    (channel) => isReachable(state, channel) && !state.optedOut.includes(channel) && !step.channels.includes(channel),
  );
  if (!substitute) return { channels, unreachable, noWrittenChannel: true };
  return { channels: [substitute, ...channels], unreachable, substitute, noWrittenChannel: false };
}

/** « aucune adresse e-mail connue, aucun numéro de téléphone connu » for the channels given. */
export function unreachableText(channels: readonly Channel[]): string {
  return [...new Set(channels.map(missingContactText))].join(', ');
}

/** « par SMS (aucune adresse e-mail connue) »: how a substituted step goes and why. */
export function substitutionText(result: StepChannels): string {
  const missingWritten = result.unreachable.filter(isWritten);
  return `par ${channelName(result.substitute!)} (${unreachableText(missingWritten)})`;
}

/** What intake tells the workflow: the channels the debtor's contact details open (no detail itself). */
export function reachableChannelsOf(debtor: {
  email?: string | null;
  phone?: string | null;
  address?: string | null;
}): Channel[] {
  const known = (value: string | null | undefined): boolean => typeof value === 'string' && value.trim() !== '';
  return [
    ...(known(debtor.email) ? (['email'] as const) : []),
    ...(known(debtor.phone) ? (['sms'] as const) : []),
    ...(known(debtor.address) ? (['letter'] as const) : []),
    ...(known(debtor.phone) ? (['call'] as const) : []),
  ];
}

/** Why no written channel is left: each one missing or closed, for the journal. */
export function noWrittenChannelText(state: CaseState): string {
  const reasons = WRITTEN_CHANNELS.map((channel) =>
    isReachable(state, channel)
      ? state.optedOut.includes(channel)
        ? `${channelName(channel)} fermé`
        : null
      : missingContactText(channel),
  ).filter((reason): reason is string => reason !== null);
  return `aucun canal écrit pour joindre le débiteur (${[...new Set(reasons)].join(', ')})`;
}
