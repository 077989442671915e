/**
 * Command lines of the embedded servers, shared by `npm start` and the test run so that both
 * start them the same way.
 */
import { TypedSearchAttributes } from '@temporalio/common';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

export function ferretdbArgs({ dataDir, port }: { dataDir: string; port: number }): string[] {
  return [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/`,
    `--state-dir=${dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    // FerretDB opens a debug HTTP port by default; two stacks on one machine would clash on it.
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=WARN',
  ];
}

export function temporalDevServerArgs({
  dbFile,
  port,
  uiPort,
  namespace,
}: {
  dbFile: string;
  port: number;
  uiPort: number;
  namespace: string;
}): string[] {
  return [
    'server',
    'start-dev',
    `--db-filename=${dbFile}`,
    '--ip=127.0.0.1',
    `--port=${port}`,
    `--ui-port=${uiPort}`,
    `--namespace=${namespace}`,
    '--log-level=warn',
    ...ALL_SEARCH_ATTRIBUTES.flatMap((key) => [
      '--search-attribute',
      `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`,
    ]),
  ];
}
