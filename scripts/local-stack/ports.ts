import net from 'node:net';

/** Asks the OS for a port that is free right now. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Waits until something accepts TCP connections on the port. `stillAlive` lets the caller give up
 * at once when the process that should open the port has already died.
 */
export async function waitForPort(
  port: number,
  {
    host = '127.0.0.1',
    timeoutMs = 60_000,
    stillAlive = (): boolean => true,
    what = `port ${port}`,
  }: { host?: string; timeoutMs?: number; stillAlive?: () => boolean; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isPortOpen(port, host)) return;
    if (!stillAlive()) throw new Error(`${what} exited before it opened ${host}:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not open ${host}:${port} within ${timeoutMs / 1000} s`);
}
