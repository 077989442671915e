import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { loadHistories } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';

/**
 * Every recorded history must replay against today's workflow code. Each suite maps a folder of
 * test/replay/histories to the workflow module whose histories it holds.
 */
const SUITES: { suite: string; workflowsPath: string }[] = [
  { suite: 'fixtures', workflowsPath: require.resolve('../fixtures/wait-for-reply') },
  { suite: 'collection-case', workflowsPath: require.resolve('../../workflows') },
  { suite: 'installment-plan', workflowsPath: require.resolve('../../workflows') },
];

describe.each(SUITES)('recorded $suite histories', ({ suite, workflowsPath }) => {
  test('replay without non-determinism against the current code', async () => {
    const histories = loadHistories(suite);
    expect(histories.length).toBeGreaterThan(0);
    const workflowBundle = await bundleWorkflows(workflowsPath);
    const replayed: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
      expect({ workflowId: result.workflowId, error: result.error }).toEqual({
        workflowId: result.workflowId,
        error: undefined,
      });
      replayed.push(result.workflowId);
    }
    expect(replayed).toHaveLength(histories.length);
  });
});

test('the harness catches an unpatched incompatible change', async () => {
  const [recorded] = loadHistories('fixtures');
  const workflowBundle = await bundleWorkflows(require.resolve('../fixtures/wait-for-reply-changed'));
  await expect(Worker.runReplayHistory({ workflowBundle }, recorded!.history, recorded!.workflowId)).rejects.toThrow(
    DeterminismViolationError,
  );
});
