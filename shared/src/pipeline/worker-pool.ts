import { parentPort, Worker, workerData } from 'node:worker_threads';
import { InvalidInputError, ShoutuError } from '../errors.js';

/** A task's failure as it crosses the thread boundary. */
export interface WorkerFailure {
  name: string;
  message: string;
  code?: string;
  file?: string;
  field?: string;
  stack?: string;
}

export function toFailure(error: unknown): WorkerFailure {
  if (error instanceof ShoutuError) return { ...error.toJSON(), ...(error.stack ? { stack: error.stack } : {}) };
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: 'Error', message: String(error) };
}

function fromFailure(f: WorkerFailure): Error {
  if (f.name === 'InvalidInputError' && f.code) {
    return new InvalidInputError(f.code, f.message, { ...(f.file ? { file: f.file } : {}), ...(f.field ? { field: f.field } : {}) });
  }
  // same name and message as in the calling thread: callers record them (a failed tile's reason)
  const error = new Error(f.message);
  error.name = f.name;
  if (f.stack) error.stack = f.stack;
  return error;
}

/**
 * A fixed set of worker threads running one handler module (worker-handlers.ts). A TypeScript handler
 * starts at worker-entry.mjs, which registers tsx the way bin/shoutu.mjs does and imports the handler; a
 * bundled one (an .mjs file in dist/) starts directly. The handler reads its data from workerDataOf() and
 * answers tasks with serveTasks(). run(i, task) sends a task to worker i and resolves with its answer: the
 * caller decides which worker does what.
 */
export class WorkerPool {
  private readonly workers: Worker[];
  private readonly exited = new Set<number>();
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private closed = false;

  constructor(size: number, handler: URL, data: unknown) {
    this.workers = [];
    for (let i = 0; i < size; i++) {
      // a bundled handler (.mjs, scripts/build.mjs) is plain JavaScript and starts directly; a TypeScript
      // one starts through worker-entry.mjs, which registers tsx first
      const entry = handler.pathname.endsWith('.mjs') ? handler : new URL('./worker-entry.mjs', import.meta.url);
      const worker = new Worker(entry, { workerData: { handler: handler.href, data } });
      worker.on('message', (m: { id: number; result?: unknown; error?: WorkerFailure }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error) p.reject(fromFailure(m.error));
        else p.resolve(m.result);
      });
      worker.on('error', (e) => this.failAll(e));
      worker.on('exit', (code) => {
        this.exited.add(i);
        if (!this.closed) this.failAll(new Error(`worker thread exited with code ${code}`));
      });
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  run<T>(index: number, task: unknown): Promise<T> {
    const worker = this.workers[index];
    if (!worker) return Promise.reject(new Error(`no worker ${index} (pool of ${this.workers.length})`));
    if (this.exited.has(index) || this.closed) return Promise.reject(new Error(`worker thread ${index} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, task });
    });
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** In a handler module: the data the pool was started with. */
export function workerDataOf<T>(): T {
  return (workerData as { data: T }).data;
}

/**
 * In a handler module: answers each task with `handle`, at most `concurrency` at once (default 1: one at a
 * time); tasks start in arrival order.
 */
export function serveTasks<T>(handle: (task: T) => Promise<unknown>, concurrency = 1): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks runs in a worker thread');
  const waiting: Array<{ id: number; task: T }> = [];
  let running = 0;
  const startNext = (): void => {
    while (running < concurrency && waiting.length > 0) {
      const m = waiting.shift()!;
      running++;
      const answer = (result: unknown): void => {
        try {
          port.postMessage({ id: m.id, result });
        } catch (error) {
          port.postMessage({ id: m.id, error: toFailure(error) }); // a result that cannot be cloned
        }
      };
      void handle(m.task)
        .then(answer, (error: unknown) => port.postMessage({ id: m.id, error: toFailure(error) }))
        .finally(() => {
          running--;
          startNext();
        });
    }
  };
  port.on('message', (m: { id: number; task: T }) => {
    waiting.push(m);
    startNext();
  });
}
