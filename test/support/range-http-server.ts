/**
 * A real HTTP server for range-read tests: serves the files of a folder with single-range `Range:
 * bytes=a-b` support (206 + Content-Range), and counts the requests and body bytes it sends. A fault can
 * be switched on to play a bad server: one that ignores Range, ends bodies early, drops the connection
 * mid-body, answers another range, or never answers.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, normalize } from 'node:path';

export type RangeServerFault = 'none' | 'ignore-range' | 'short-body' | 'drop-connection' | 'wrong-range' | 'no-answer' | 'stall-body';

export interface RangeHttpServer {
  /** e.g. http://127.0.0.1:41235 */
  readonly origin: string;
  url(file: string): string;
  /** body bytes sent since the last reset */
  readonly bytesServed: number;
  /** requests answered (or received, for faults that do not answer) since the last reset */
  readonly requests: number;
  /** the [start, end] of every range served, in order */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  reset(): void;
  fault: RangeServerFault;
  /** the next this many requests are answered 503 Service Unavailable */
  failNext: number;
  /** range answers wait this long before they start (a remote store's round trip) */
  delayMs: number;
  /** most range requests being answered at once, and most bytes they asked for at once, since the last reset */
  readonly mostInFlight: number;
  readonly mostBytesInFlight: number;
  close(): Promise<void>;
}

export async function startRangeHttpServer(root: string): Promise<RangeHttpServer> {
  let bytesServed = 0;
  let requests = 0;
  let ranges: Array<[number, number]> = [];
  const sockets = new Set<Socket>();
  const state = { fault: 'none' as RangeServerFault, failNext: 0, delayMs: 0 };
  const inFlight = { requests: 0, bytes: 0, mostRequests: 0, mostBytes: 0 };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests += 1;
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
    if (path.startsWith('..')) return void res.writeHead(403).end();
    let size: number;
    try {
      const info = await stat(join(root, path));
      if (!info.isFile()) throw new Error('not a file');
      size = info.size;
    } catch {
      return void res.writeHead(404).end();
    }
    if (state.failNext > 0) {
      state.failNext -= 1;
      return void res.writeHead(503).end();
    }
    if (state.fault === 'no-answer') return; // keep the socket open, say nothing
    const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!match || state.fault === 'ignore-range') {
      res.writeHead(200, { 'Content-Length': size, 'Content-Type': 'image/tiff' });
      send(join(root, path), 0, size - 1, res);
      return;
    }
    const start = Number(match[1]);
    const end = Math.min(match[2] === '' ? size - 1 : Number(match[2]), size - 1);
    if (start >= size) return void res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
    ranges.push([start, end]);
    const length = end - start + 1;
    inFlight.requests += 1;
    inFlight.bytes += length;
    inFlight.mostRequests = Math.max(inFlight.mostRequests, inFlight.requests);
    inFlight.mostBytes = Math.max(inFlight.mostBytes, inFlight.bytes);
    res.on('close', () => {
      inFlight.requests -= 1;
      inFlight.bytes -= length;
    });
    if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    if (state.fault === 'wrong-range') {
      const shifted = Math.min(start + 1, end);
      res.writeHead(206, { 'Content-Range': `bytes ${shifted}-${end}/${size}`, 'Content-Length': end - shifted + 1 });
      send(join(root, path), shifted, end, res);
      return;
    }
    if (state.fault === 'short-body') {
      // a body that ends cleanly, but shorter than the range it announces
      const half = Math.max(0, Math.floor(length / 2) - 1);
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': half + 1 });
      send(join(root, path), start, start + half, res);
      return;
    }
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': length, 'Content-Type': 'image/tiff' });
    if (state.fault === 'drop-connection' || state.fault === 'stall-body') {
      const half = Math.floor(length / 2);
      res.write(await readPart(join(root, path), start, start + half - 1));
      bytesServed += half;
      if (state.fault === 'drop-connection') res.socket?.destroy();
      return; // stall: headers and half the body, then silence
    }
    send(join(root, path), start, end, res);
  };

  const send = (file: string, start: number, end: number, res: ServerResponse) => {
    if (end < start) return void res.end();
    const stream = createReadStream(file, { start, end });
    stream.on('data', (chunk) => {
      bytesServed += chunk.length;
    });
    stream.pipe(res);
    res.on('close', () => stream.destroy());
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (file) => `${origin}/${file.split('/').map(encodeURIComponent).join('/')}`,
    get bytesServed() {
      return bytesServed;
    },
    get requests() {
      return requests;
    },
    get ranges() {
      return ranges;
    },
    reset() {
      bytesServed = 0;
      requests = 0;
      ranges = [];
      inFlight.mostRequests = inFlight.requests;
      inFlight.mostBytes = inFlight.bytes;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value) {
      state.delayMs = value;
    },
    get mostInFlight() {
      return inFlight.mostRequests;
    },
    get mostBytesInFlight() {
      return inFlight.mostBytes;
    },
    get fault() {
      return state.fault;
    },
    set fault(value) {
      state.fault = value;
    },
    get failNext() {
      return state.failNext;
    },
    set failNext(value) {
      state.failNext = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function readPart(file: string, start: number, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  if (end < start) return Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { start, end })) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
