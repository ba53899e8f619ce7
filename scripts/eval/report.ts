/**
 * Aggregation (per dataset group, overall) and the printed and JSON forms of an evaluation run.
 */
import { meanMetrics, metricsOf, sumConfusion, METRIC_NAMES, type Confusion, type Metrics } from './metrics.js';
import { shortBandSource } from './datasets.js';
import type { PairOk, PairResult } from './evaluate-pair.js';

export interface GroupSummary {
  group: string;
  pairs: number;
  scored: number;
  failed: number;
  /** mean of the per-pair metrics over the scored pairs (null when none was scored) */
  mean: Metrics | null;
  /** counts summed over the scored pairs */
  counts: Confusion;
  /** metrics of the summed counts (null when none was scored) */
  pooled: Metrics | null;
  detectMs: number;
  /** the reported patches (patch-scoring.ts): mean of the per-pair F1, F1 of the summed counts, counts */
  patch: PatchSummary | null;
}

export interface PatchSummary {
  meanF1: number;
  pooledF1: number;
  patches: number;
  judged: number;
  hits: number;
  objects: number;
  found: number;
  /** judged patches and hits by change type, over the pairs */
  byType: Record<string, { judged: number; hits: number }>;
}

function patchSummary(ok: readonly PairOk[]): PatchSummary | null {
  if (ok.length === 0) return null;
  return {
    meanF1: ok.reduce((s, r) => s + r.patchScore.metrics.f1, 0) / ok.length,
    pooledF1: metricsOf(sumConfusion(ok.map((r) => r.patchScore.counts))).f1,
    patches: ok.reduce((s, r) => s + r.patchScore.patches, 0),
    judged: ok.reduce((s, r) => s + r.patchScore.judged, 0),
    hits: ok.reduce((s, r) => s + r.patchScore.hits, 0),
    objects: ok.reduce((s, r) => s + r.patchScore.objects, 0),
    found: ok.reduce((s, r) => s + r.patchScore.found, 0),
    byType: sumByType(ok.map((r) => r.patchScore.byType)),
  };
}

function sumByType(parts: ReadonlyArray<Record<string, { judged: number; hits: number }>>): Record<string, { judged: number; hits: number }> {
  const out: Record<string, { judged: number; hits: number }> = {};
  for (const part of parts) {
    for (const type of Object.keys(part).sort()) {
      const t = (out[type] ??= { judged: 0, hits: 0 });
      t.judged += part[type]!.judged;
      t.hits += part[type]!.hits;
    }
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]!]));
}

export interface OverallSummary {
  /** mean over groups of each group's mean: every dataset weighs the same */
  meanOfGroups: Metrics | null;
  /** mean over every scored pair */
  meanOfPairs: Metrics | null;
  counts: Confusion;
  scored: number;
  failed: number;
  detectMs: number;
  /** the reported patches over every scored pair */
  patch: PatchSummary | null;
}

export function summariseGroups(results: readonly PairResult[]): GroupSummary[] {
  const order: string[] = [];
  const byGroup = new Map<string, PairResult[]>();
  for (const r of results) {
    if (!byGroup.has(r.group)) {
      byGroup.set(r.group, []);
      order.push(r.group);
    }
    byGroup.get(r.group)!.push(r);
  }
  return order.map((group) => {
    const all = byGroup.get(group)!;
    const ok = all.filter((r): r is PairOk => r.status === 'ok');
    const counts = sumConfusion(ok.map((r) => r.counts));
    return {
      group,
      pairs: all.length,
      scored: ok.length,
      failed: all.length - ok.length,
      mean: meanMetrics(ok.map((r) => r.metrics)),
      counts,
      pooled: ok.length > 0 ? metricsOf(counts) : null,
      detectMs: ok.reduce((s, r) => s + r.detectMs, 0),
      patch: patchSummary(ok),
    };
  });
}

export function summariseOverall(results: readonly PairResult[], groups: readonly GroupSummary[]): OverallSummary {
  const ok = results.filter((r): r is PairOk => r.status === 'ok');
  return {
    meanOfGroups: meanMetrics(groups.flatMap((g) => (g.mean ? [g.mean] : []))),
    meanOfPairs: meanMetrics(ok.map((r) => r.metrics)),
    counts: sumConfusion(ok.map((r) => r.counts)),
    scored: ok.length,
    failed: results.length - ok.length,
    detectMs: ok.reduce((s, r) => s + r.detectMs, 0),
    patch: patchSummary(ok),
  };
}

const f3 = (v: number) => v.toFixed(3);

function table(header: string[], rows: string[][], leftColumns: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const METRIC_HEADER = ['OA', 'Kappa', 'Prec', 'Recall', 'F1'];
const COUNT_HEADER = ['TP', 'FP', 'FN', 'TN'];
const metricCells = (m: Metrics | null) => (m ? METRIC_NAMES.map((k) => f3(m[k])) : METRIC_NAMES.map(() => '—'));
const countCells = (c: Confusion) => [c.tp, c.fp, c.fn, c.tn].map(String);
const PATCH_HEADER = ['patches', 'hits/judged', 'found/objects', 'patch F1'];
const patchCells = (p: { patches: number; judged: number; hits: number; objects: number; found: number }, f1: number) => [String(p.patches), `${p.hits}/${p.judged}`, `${p.found}/${p.objects}`, f3(f1)];

/** The per-pair table (failed pairs listed below it with their error). */
export function formatPairTable(results: readonly PairResult[]): string {
  const rows = results.map((r) =>
    r.status === 'ok'
      ? [r.label, r.group, shortBandSource(r.bandSource!), ...metricCells(r.metrics), ...countCells(r.counts), String(r.nodataInLabelled), r.threshold.toFixed(3), ...patchCells(r.patchScore, r.patchScore.metrics.f1), r.detectMs.toFixed(0)]
      : [r.label, r.group, r.bandSource ? shortBandSource(r.bandSource) : '—', 'FAILED', '', '', '', '', '', '', '', '', '', '', '', '', '', '', r.totalMs.toFixed(0)],
  );
  const header = ['pair', 'group', 'bands', ...METRIC_HEADER, ...COUNT_HEADER, 'nodata', 'thresh', ...PATCH_HEADER, 'ms'];
  return table(header, rows, 3);
}

/** Per-group means, pooled metrics and the overall means. */
export function formatGroupTable(groups: readonly GroupSummary[], overall: OverallSummary): string {
  const rows: string[][] = [];
  for (const g of groups) {
    const n = g.failed > 0 ? `${g.scored}/${g.pairs}` : String(g.pairs);
    const p = g.patch;
    rows.push([`${g.group} mean`, n, ...metricCells(g.mean), ...countCells(g.counts), ...(p ? patchCells(p, p.meanF1) : ['', '', '', '']), g.detectMs.toFixed(0)]);
    rows.push([`${g.group} pooled`, n, ...metricCells(g.pooled), '', '', '', '', '', '', '', p ? f3(p.pooledF1) : '', '']);
  }
  rows.push(['overall, mean of group means', String(groups.length), ...metricCells(overall.meanOfGroups), '', '', '', '', '', '', '', '', '']);
  const pairs = overall.failed > 0 ? `${overall.scored}/${overall.scored + overall.failed}` : String(overall.scored);
  const p = overall.patch;
  rows.push(['overall, mean of all pairs', pairs, ...metricCells(overall.meanOfPairs), ...countCells(overall.counts), ...(p ? patchCells(p, p.meanF1) : ['', '', '', '']), overall.detectMs.toFixed(0)]);
  return table(['group', 'pairs', ...METRIC_HEADER, ...COUNT_HEADER, ...PATCH_HEADER, 'ms'], rows, 1);
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
const roundMetrics = (m: Metrics | null) => (m ? (Object.fromEntries(METRIC_NAMES.map((k) => [k, round6(m[k])])) as unknown as Metrics) : null);

const roundPatch = (p: PatchSummary | null) => (p ? { ...p, meanF1: round6(p.meanF1), pooledF1: round6(p.pooledF1) } : null);

/** JSON form of the run (metrics rounded to 6 decimals, times to 0.1 ms). */
export function jsonReport(meta: Record<string, unknown>, results: readonly PairResult[], groups: readonly GroupSummary[], overall: OverallSummary): unknown {
  const ms = (v: number) => Math.round(v * 10) / 10;
  return {
    ...meta,
    pairs: results.map((r) =>
      r.status === 'ok'
        ? { ...r, metrics: roundMetrics(r.metrics), patchScore: { ...r.patchScore, metrics: roundMetrics(r.patchScore.metrics) }, threshold: round6(r.threshold), detectMs: ms(r.detectMs), totalMs: ms(r.totalMs) }
        : { ...r, totalMs: ms(r.totalMs) },
    ),
    groups: groups.map((g) => ({ ...g, mean: roundMetrics(g.mean), pooled: roundMetrics(g.pooled), patch: roundPatch(g.patch), detectMs: ms(g.detectMs) })),
    overall: { ...overall, meanOfGroups: roundMetrics(overall.meanOfGroups), meanOfPairs: roundMetrics(overall.meanOfPairs), patch: roundPatch(overall.patch), detectMs: ms(overall.detectMs) },
  };
}
