/**
 * A backend that misbehaves on purpose, for provider conformance: it answers every request with
 * HTTP 500 and a recognisable body, or never answers at all. It records what it received.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from '../../src/cli/local/processes.js';

export type FaultMode = 'error500' | 'hang';

/** Text the 500 answer carries, so tests can check the provider passes the backend's words on. */
export const FAULT_TEXT = 'boom-from-the-backend';

export class FaultServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly mode: FaultMode,
    /** `METHOD path` of every request received. */
    readonly received: string[],
    private readonly open: Set<ServerResponse>,
  ) {}

  static async start(mode: FaultMode): Promise<FaultServer> {
    const port = await freePort();
    const received: string[] = [];
    const open = new Set<ServerResponse>();
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      received.push(`${req.method ?? '?'} ${req.url ?? ''}`);
      if (mode === 'hang') {
        open.add(res);
        return;
      }
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'internal', error: FAULT_TEXT, errors: [FAULT_TEXT] }));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    return new FaultServer(server, `http://127.0.0.1:${port}`, mode, received, open);
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
