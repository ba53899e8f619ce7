import { describe, expect, it } from 'vitest';
import { severityOf, type SeverityInput } from './severity.js';

const none = { pixels: 0 };
const some = { pixels: 3 };
const base: SeverityInput = { areaMu: 1, overlap: { redline: none, farmland: none }, changeType: 'construction', cloudFreeFraction: 1 };
const of = (overrides: Partial<SeverityInput>) => severityOf({ ...base, ...overrides });

describe('severityOf', () => {
  it('ranks red line above farmland above other land', () => {
    expect(of({ overlap: { redline: some, farmland: some } })).toBe('high');
    expect(of({ overlap: { redline: none, farmland: some } })).toBe('medium');
    expect(of({})).toBe('low');
  });

  it('moves a large patch (≥ 10 亩) up one level', () => {
    expect(of({ areaMu: 10, overlap: { redline: some, farmland: none } })).toBe('critical');
    expect(of({ areaMu: 12.5, overlap: { redline: none, farmland: some } })).toBe('high');
    expect(of({ areaMu: 9.99, overlap: { redline: none, farmland: some } })).toBe('medium');
    expect(of({ areaMu: 40 })).toBe('medium');
  });

  it('ranks construction, bare soil and water changes above vegetation loss', () => {
    const farmland = { redline: none, farmland: some };
    for (const changeType of ['construction', 'bare_soil', 'water_gain', 'water_loss'] as const) expect(of({ overlap: farmland, changeType })).toBe('medium');
    for (const changeType of ['vegetation_loss', 'vegetation_gain', 'other'] as const) expect(of({ overlap: farmland, changeType })).toBe('low');
    expect(of({ areaMu: 20, overlap: { redline: some, farmland: none }, changeType: 'vegetation_loss' })).toBe('high');
  });

  it('moves a patch whose footprint is less than half clear down one level, never below low', () => {
    const redline = { redline: some, farmland: none };
    expect(of({ overlap: redline, cloudFreeFraction: 0.49 })).toBe('medium');
    expect(of({ overlap: redline, cloudFreeFraction: 0.5 })).toBe('high');
    expect(of({ changeType: 'other', cloudFreeFraction: 0.1 })).toBe('low');
  });
});
