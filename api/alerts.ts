/**
 * Manager alerts (not in docs/api.md): the list a manager works from, and the acknowledgement that
 * closes one. The case workflow hears of every acknowledgement (an Update) so that its open-alert
 * count, search attribute and Web UI line stay true; for an unknown message outcome the manager
 * settles the send: "it did leave" (settled as sent) or "send it again" (the case sends it once
 * more, under the same idempotency key, through the normal contact rules).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Types } from 'mongoose';
import type { z } from 'zod';
import type { Actor } from '../domain/case/actions';
import { acknowledgementSummary, resolutionsFor, type AlertResolution } from '../domain/case/alerts';
import { TERMINAL_STATUSES } from '../domain/case/types';
import { alertAcknowledgementModel, type Alert, type AlertModel } from '../models/alert';
import type { CaseRecord, CaseRecordModel } from '../models/case-record';
import { caseViewModel, storedView } from '../models/case-view';
import { insertOnce } from '../models/connection';
import { SYSTEM_CASE_ID } from '../models/rate-store';
import { appendJournalEntry, type JournalEntryModel } from '../models/journal-entry';
import { resolveUnknownSend, type MessageSendModel } from '../models/message-send';
import { acknowledgeAlertUpdate } from '../workflows/case-definitions';
import { ApiError } from './errors';
import { afterCursor, decodeCursor, page } from './pagination';
import { parisIso } from './resources';
import type { acknowledgeAlertBody, alertResource, listAlertsQuery } from './schemas';
import { isTemporalUnreachable, refusedUpdate, unavailable } from './upstream-errors';

export interface AlertServiceDependencies {
  alerts: AlertModel;
  records: CaseRecordModel;
  journal: JournalEntryModel;
  sends: MessageSendModel;
  client: Client;
  now: () => Promise<Date>;
  temporalTimeoutMs: number;
}

type AlertDocument = Alert & { _id: Types.ObjectId };
type AlertResource = z.output<typeof alertResource>;

function alertResourceOf(alert: Alert): AlertResource {
  return {
    id: alert.alertId,
    caseId: alert.caseId,
    creditorId: alert.creditorId,
    kind: alert.kind,
    message: alert.message,
    raisedAt: parisIso(alert.raisedAt),
    status: alert.status,
    ...(alert.send
      ? { send: { idempotencyKey: alert.send.idempotencyKey, stage: alert.send.stage, channel: alert.send.channel } }
      : {}),
    ...(alert.acknowledgedAt ? { acknowledgedAt: parisIso(alert.acknowledgedAt) } : {}),
    ...(alert.acknowledgedBy
      ? {
          acknowledgedBy: {
            role: alert.acknowledgedBy.role,
            ...(alert.acknowledgedBy.id ? { id: alert.acknowledgedBy.id } : {}),
          },
        }
      : {}),
    ...(alert.resolution ? { resolution: alert.resolution } : {}),
    ...(alert.note ? { note: alert.note } : {}),
  };
}

const isTerminal = (status: string): boolean => (TERMINAL_STATUSES as readonly string[]).includes(status);

export function createAlertService(dependencies: AlertServiceDependencies) {
  const { alerts, records, journal, sends, client, now, temporalTimeoutMs } = dependencies;
  const views = caseViewModel(records.db);
  const acknowledgements = alertAcknowledgementModel(alerts.db);

  /** Newest first; filters combine. */
  async function listAlerts(query: z.output<typeof listAlertsQuery>) {
    const filter: Record<string, unknown> = {};
    if (query.kind) filter.kind = query.kind;
    if (query.status) filter.status = query.status;
    if (query.creditorId) filter.creditorId = query.creditorId;
    if (query.cursor) Object.assign(filter, afterCursor('raisedAt', decodeCursor(query.cursor), -1));
    const found = await alerts
      .find(filter)
      .sort({ raisedAt: -1, _id: -1 })
      .limit(query.limit + 1)
      .lean<AlertDocument[]>();
    const { items, nextCursor } = page(found, query.limit, (alert) => alert.raisedAt);
    return { items: items.map(alertResourceOf), nextCursor };
  }

  /**
   * The case first, the alert's document last: if the API dies in between, asking again finds the
   * alert still open, and the case (which ignores an alert it no longer holds) changes nothing twice.
   */
  async function acknowledge(
    alertId: string,
    body: z.output<typeof acknowledgeAlertBody>,
    actor: Actor,
  ): Promise<AlertResource> {
    const alert = await alerts.findOne({ _id: alertId }).lean<AlertDocument>();
    if (!alert) throw new ApiError('not_found', `no alert ${alertId}`);
    if (alert.status !== 'open') throw alreadyAcknowledged(alert);
    checkResolutionFits(alert, body.resolution);
    // An alert about no case (a missing rate) has no workflow to tell.
    const aboutACase = alert.caseId !== SYSTEM_CASE_ID;
    const record = aboutACase ? await records.findOne({ _id: alert.caseId }).lean<CaseRecord>() : null;
    if (aboutACase && !record) throw new ApiError('not_found', `no case ${alert.caseId} for alert ${alertId}`);
    if (body.resolution === 'send_again') await checkStillUnknown(alert);
    if (body.resolution === 'message_left' && alert.send) {
      await resolveUnknownSend(
        sends,
        alert.send.idempotencyKey,
        'left',
        'issue inconnue réglée par un gestionnaire : le message est bien parti (constaté chez le prestataire)',
      );
    }
    if (record) await tellTheCase(record, alert, body.resolution, actor);
    const at = await now();
    // Another manager acknowledged it meanwhile: theirs is the resolution on record.
    if (!(await takeAcknowledgement(alertId, at))) throw alreadyAcknowledged(alert);
    const acknowledged = {
      status: 'acknowledged' as const,
      acknowledgedAt: at,
      acknowledgedBy: actor,
      resolution: body.resolution,
      ...(body.note ? { note: body.note } : {}),
    };
    // By `_id` alone: the acknowledgement lock makes this request the alert's only writer.
    await alerts.updateOne({ _id: alertId }, { $set: acknowledged });
    const marked = { ...alert, ...acknowledged };
    await journalOnce(alert, body, actor, at);
    return alertResourceOf(marked);
  }

  async function takeAcknowledgement(alertId: string, at: Date): Promise<boolean> {
    return insertOnce(() => acknowledgements.create({ _id: alertId, at }));
  }

  function alreadyAcknowledged(alert: Alert): ApiError {
    return new ApiError('conflict', `alert ${alert.alertId} is already acknowledged`);
  }

  function checkResolutionFits(alert: Alert, resolution: AlertResolution): void {
    const fitting = resolutionsFor(alert.kind).filter((candidate) => candidate === 'noted' || alert.send);
    if (fitting.includes(resolution)) return;
    const reason = `must be ${fitting.join(' or ')} for a ${alert.kind} alert`;
    throw new ApiError('unprocessable', `body.resolution: ${reason}`, [{ path: 'body.resolution', reason }]);
  }

  /** "Send it again" only while nobody knows: the provider's answer may have settled it meanwhile. */
  async function checkStillUnknown(alert: Alert): Promise<void> {
    const send = await sends.findOne({ _id: alert.send!.idempotencyKey }).lean();
    if (send?.state === 'unknown') return;
    throw new ApiError(
      'conflict',
      `the outcome of ${alert.send!.idempotencyKey} is no longer unknown (${send?.state ?? 'no send'}): nothing to send again`,
    );
  }

  async function tellTheCase(record: CaseRecord, alert: Alert, resolution: AlertResolution, actor: Actor) {
    // The case as its workflow last stored it; none stored yet: its workflow may not run yet either.
    const view = await storedView(views, record.caseId);
    if (!view || isTerminal(view.status)) {
      if (resolution === 'send_again') {
        throw new ApiError('invalid_transition', `the case is ${view?.status ?? 'not started'}: nothing more is sent`);
      }
      return;
    }
    const handle = client.workflow.getHandle(record.workflowId);
    try {
      // The case's view is stored by its workflow only (case_views has one writer): it follows.
      await client.withDeadline(Date.now() + temporalTimeoutMs, () =>
        handle.executeUpdate(acknowledgeAlertUpdate, {
          args: [{ idempotencyKey: alert.idempotencyKey, resolution }, actor],
        }),
      );
    } catch (error) {
      const refused = refusedUpdate(error);
      if (refused) throw refused;
      if (error instanceof WorkflowNotFoundError) {
        if (resolution === 'send_again')
          throw new ApiError('invalid_transition', 'the case has ended: nothing more is sent');
        return;
      }
      if (isTemporalUnreachable(error)) throw unavailable('Temporal');
      throw error;
    }
  }

  async function journalOnce(
    alert: Alert,
    body: z.output<typeof acknowledgeAlertBody>,
    actor: Actor,
    at: Date,
  ): Promise<void> {
    await appendJournalEntry(journal.db, {
      caseId: alert.caseId,
      idempotencyKey: `${alert.idempotencyKey}:acknowledged`,
      at,
      type: 'alert_acknowledged',
      channel: 'api',
      summary: acknowledgementSummary(alert.kind, body.resolution),
      ...(alert.send ? { stage: alert.send.stage } : {}),
      ...(body.note ? { content: { body: body.note } } : {}),
      actor,
    });
  }

  return { listAlerts, acknowledge };
}

export type AlertService = ReturnType<typeof createAlertService>;
