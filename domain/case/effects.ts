/**
 * What a decision about a case asks the outside world to do. The rules in this folder only return
 * effects; the case workflow carries them out through activities. That keeps every decision a pure
 * function of (state, input, now), testable without Temporal.
 */
import type { CallTask, PendingContact, SealedText } from './types';
import type { Channel, Stage } from '../types';

/** Statuses a journal entry about a message can carry (docs/api.md, Journal entry). */
export type MessageStatusForJournal = 'sent' | 'simulated' | 'failed' | 'deferred' | 'blocked';

export type ActorRole = 'system' | 'operations' | 'agent' | 'manager' | 'debtor';

export interface JournalNote {
  type: string;
  summary: string;
  channel?: Channel | 'api' | 'system';
  stage?: Stage;
  status?: MessageStatusForJournal;
  actor: { role: ActorRole; id?: string };
  sealedText?: SealedText;
}

export type CaseEffect =
  | { kind: 'journal'; note: JournalNote }
  | { kind: 'contact'; contact: PendingContact; tone: string; template: string }
  | { kind: 'create_call_task'; task: CallTask }
  | { kind: 'close_call_task'; taskId: string; outcome: string; agentId?: string }
  | { kind: 'alert'; alert: string; message: string }
  | { kind: 'handoff' };
