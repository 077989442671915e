import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker lifecycle chatter (RUNNING, DRAINING…) buries test failures; warnings still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this jest worker by an earlier test file.
}
