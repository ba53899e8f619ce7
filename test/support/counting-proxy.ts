/**
 * A transparent HTTP proxy in front of a test server (s3rver) that counts the response body bytes it
 * passes on, so a test can see what an S3 client really transferred. Requests are forwarded unchanged
 * (Host header included, so S3 signatures stay valid). With `delayMs`, each request is held that long
 * before it is forwarded: the round trip of a store across a network (scripts/bench-store.ts).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CountingProxy {
  /** e.g. http://127.0.0.1:41236: use as the S3 endpoint */
  readonly endpoint: string;
  /** response body bytes passed on since the last reset */
  readonly bytes: number;
  /** requests since the last reset, as "METHOD path?query" */
  readonly requests: readonly string[];
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string, options: { delayMs?: number } = {}): Promise<CountingProxy> {
  const upstream = new URL(target);
  const delayMs = options.delayMs ?? 0;
  let bytes = 0;
  let requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (delayMs > 0) {
      req.pause(); // the body waits with the request
      setTimeout(() => forwardRequest(req, res), delayMs);
    } else forwardRequest(req, res);
  });
  const forwardRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  };
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get bytes() {
      return bytes;
    },
    get requests() {
      return requests;
    },
    reset() {
      bytes = 0;
      requests = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
