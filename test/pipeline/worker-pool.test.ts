import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../shared/src/pipeline/worker-pool.js';

const handler = new URL('../support/sleep-worker.ts', import.meta.url);
type Answer = { label: string; runningAtStart: number };

/** Sends five tasks at once to one worker serving `concurrency` at a time; the answers in send order. */
async function fiveTasks(concurrency: number): Promise<Answer[]> {
  const pool = new WorkerPool(1, handler, { concurrency });
  try {
    return await Promise.all([80, 10, 40, 10, 10].map((ms, i) => pool.run<Answer>(0, { ms, label: `t${i}` })));
  } finally {
    await pool.close();
  }
}

describe('serveTasks in a worker thread', () => {
  it('runs one task at a time by default', async () => {
    const answers = await fiveTasks(1);
    expect(answers.map((a) => a.label)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(answers.map((a) => a.runningAtStart)).toEqual([1, 1, 1, 1, 1]);
  });

  it('runs up to `concurrency` tasks at once, starting them in arrival order', async () => {
    const answers = await fiveTasks(2);
    expect(answers.map((a) => a.label)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    // t0 and t1 start together; each later task starts when one finishes, so two are running
    expect(answers.map((a) => a.runningAtStart)).toEqual([1, 2, 2, 2, 2]);
  });

  it('answers a result that cannot cross the thread boundary with an error, and goes on serving', async () => {
    const pool = new WorkerPool(1, handler, { concurrency: 2 });
    try {
      await expect(pool.run(0, { uncloneable: true })).rejects.toThrow(/could not be cloned/);
      expect(await pool.run<Answer>(0, { ms: 1, label: 'after' })).toMatchObject({ label: 'after' });
    } finally {
      await pool.close();
    }
  });
});
