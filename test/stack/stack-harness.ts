/**
 * The local stack for tests: the product compiled once per file (test/helpers/compiled-project.ts),
 * then started by the shared starter (scripts/local-stack/stack-process.ts, also used by
 * `npm run bench:faults`).
 */
import { compileProject } from '../helpers/compiled-project';

export {
  isAlive,
  request,
  startStack,
  waitFor,
  type RunningStack,
  type StackOptions,
  type StackState,
} from '../../scripts/local-stack/stack-process';

export const compileForStack = (): string => compileProject('stack');
