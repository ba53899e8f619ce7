import { describe, expect, it } from 'vitest';
import { ByteBudget } from './byte-budget.js';

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ByteBudget', () => {
  it('grants what fits at once and keeps the rest waiting until bytes are given back', async () => {
    const budget = new ByteBudget(100);
    const first = await budget.acquire(60);
    const granted: string[] = [];
    const second = budget.acquire(50).then((give) => (granted.push('second'), give));
    await settle();
    expect(granted).toEqual([]);
    expect(budget.held).toBe(60);
    first();
    const giveSecond = await second;
    expect(granted).toEqual(['second']);
    expect(budget.held).toBe(50);
    giveSecond();
    giveSecond(); // giving back twice gives back once
    expect(budget.held).toBe(0);
  });

  it('grants in the order asked: a small request does not pass a large one waiting', async () => {
    const budget = new ByteBudget(100);
    const held = await budget.acquire(70);
    const order: string[] = [];
    const large = budget.acquire(80).then((give) => (order.push('large'), give));
    const small = budget.acquire(10).then((give) => (order.push('small'), give));
    await settle();
    expect(order).toEqual([]); // 10 would fit beside the 70, but the 80 asked first
    held();
    (await large)();
    (await small)();
    expect(order).toEqual(['large', 'small']);
    expect(budget.held).toBe(0);
  });

  it('a request larger than the whole budget is granted when nothing else is held', async () => {
    const budget = new ByteBudget(100);
    const held = await budget.acquire(1);
    let granted = false;
    const huge = budget.acquire(500).then((give) => ((granted = true), give));
    await settle();
    expect(granted).toBe(false);
    held();
    const give = await huge;
    expect(budget.held).toBe(500);
    give();
    expect(budget.held).toBe(0);
  });

  it('takeNow adds to what a holder has without waiting; acquireAll waits for everything', async () => {
    const budget = new ByteBudget(100);
    const a = await budget.acquire(90);
    const b = budget.takeNow(50);
    expect(budget.held).toBe(140);
    let all = false;
    const whole = budget.acquireAll().then((give) => ((all = true), give));
    a();
    await settle();
    expect(all).toBe(false);
    b();
    const give = await whole;
    expect(budget.held).toBe(100);
    let after = false;
    const later = budget.acquire(1).then((g) => ((after = true), g));
    await settle();
    expect(after).toBe(false);
    give();
    (await later)();
    expect(budget.held).toBe(0);
  });

  it('refuses a limit or a request that is not a whole number of bytes', async () => {
    expect(() => new ByteBudget(0)).toThrow(/limit/);
    await expect(new ByteBudget(10).acquire(-1)).rejects.toThrow(/bytes/);
    await expect(new ByteBudget(10).acquire(1.5)).rejects.toThrow(/bytes/);
  });
});
