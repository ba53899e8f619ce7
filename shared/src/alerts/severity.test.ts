import { describe, expect, it } from 'vitest';
import { severityOf } from './severity.js';

const none = { pixels: 0 };
const some = { pixels: 3 };

describe('severityOf', () => {
  it('ranks red line above farmland above other land', () => {
    expect(severityOf(1, { redline: some, farmland: some })).toBe('high');
    expect(severityOf(1, { redline: none, farmland: some })).toBe('medium');
    expect(severityOf(1, { redline: none, farmland: none })).toBe('low');
  });
  it('moves a large patch (≥ 10 亩) up one level', () => {
    expect(severityOf(10, { redline: some, farmland: none })).toBe('critical');
    expect(severityOf(12.5, { redline: none, farmland: some })).toBe('high');
    expect(severityOf(9.99, { redline: none, farmland: some })).toBe('medium');
    expect(severityOf(40, { redline: none, farmland: none })).toBe('medium');
  });
});
