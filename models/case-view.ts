import { Schema, type Connection } from 'mongoose';
import type { CaseView } from '../activities/contracts';
import { isDuplicateKey } from './connection';

/**
 * The last Case the workflow published, one document per case (`_id` = case id), in a collection
 * of its own: the API reads it, and only the worker's `saveCaseProjection` writes it. The case
 * record beside it (`cases`) is written only by intake, so no document has two writers: FerretDB
 * over SQLite reads a document and rewrites it in separate transactions, and two writers to one
 * document lose a write there.
 */
export const caseViewSchema = new Schema(
  {
    _id: { type: String, required: true },
    revision: { type: Number, required: true },
    view: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'case_views', versionKey: false, strict: 'throw' },
);

export interface StoredCaseView {
  _id: string;
  revision: number;
  view: CaseView;
}

const compile = (connection: Connection) => connection.model('CaseView', caseViewSchema);
export type CaseViewModel = ReturnType<typeof compile>;

export function caseViewModel(connection: Connection): CaseViewModel {
  return (connection.models.CaseView as CaseViewModel | undefined) ?? compile(connection);
}

/** The stored view of a case, or null before the workflow's first save. One `_id` look-up. */
export async function storedView(views: CaseViewModel, caseId: string): Promise<CaseView | null> {
  const stored = await views.findOne({ _id: caseId }).lean<StoredCaseView>();
  return stored?.view ?? null;
}

/**
 * Keeps `view` unless a later revision is stored already (a late retry never undoes a later
 * change). A read then a replace, both by `_id` (the only filter FerretDB over SQLite pushes down):
 * safe because one writer only ever writes this document — the case's own workflow, whose
 * activities run one at a time and publish revisions in order. A retry of an attempt that timed out
 * while still running is the one overlap; the revision check makes either order end at the later
 * revision, and two inserts racing are settled by the unique `_id` (the loser reads again).
 */
export async function saveView(views: CaseViewModel, view: CaseView): Promise<'saved' | 'stale'> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const stored = await views.findOne({ _id: view.id }, { revision: 1 }).lean<Pick<StoredCaseView, 'revision'>>();
    if (stored && stored.revision >= view.revision) return 'stale';
    try {
      if (stored) await views.replaceOne({ _id: view.id }, { _id: view.id, revision: view.revision, view });
      else await views.create({ _id: view.id, revision: view.revision, view });
      return 'saved';
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }
  throw new Error(`case view ${view.id}: revision ${view.revision} lost three insert races in a row`);
}
