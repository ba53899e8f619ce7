import type { AlertFeature, PairCoverage } from '@shoutu/shared';

/** Most severe first, for display. */
const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;

/** Plain-text summary table of a set of alerts: counts, areas in 亩 per mask, severity counts. */
export function alertSummary(alerts: readonly AlertFeature[]): string {
  const mu = (f: (a: AlertFeature) => number) => alerts.reduce((s, a) => s + f(a), 0).toFixed(2);
  const rows: Array<[string, string]> = [
    ['alerts (图斑)', String(alerts.length)],
    ['total area (亩)', mu((a) => a.properties.areaMu)],
    ['in ecological red line 生态保护红线 (亩)', mu((a) => a.properties.overlap.redline.areaMu)],
    ['in permanent basic farmland 永久基本农田, outside the red line (亩)', mu((a) => a.properties.overlap.farmland.areaMu)],
    ['elsewhere 其他 (亩)', mu((a) => a.properties.elsewhere.areaMu)],
  ];
  for (const s of SEVERITY_ORDER) rows.push([`severity ${s}`, String(alerts.filter((a) => a.properties.severity === s).length)]);
  const width = Math.max(...rows.map(([k]) => displayWidth(k)));
  return rows.map(([k, v]) => `  ${k}${' '.repeat(width - displayWidth(k))}  ${v.padStart(8)}`).join('\n');
}

/** Terminal columns of a string: CJK characters take two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return w;
}

/** One examined share: "A of B 亩 (C %)". */
export function examinedShare(c: { mu: number; examinedMu: number; examinedShare: number }): string {
  return `${c.examinedMu.toFixed(2)} of ${c.mu.toFixed(2)} 亩 (${(100 * c.examinedShare).toFixed(1)} %)`;
}

/**
 * Which epoch hid the ground not examined: "unusable in the before epoch over A 亩, in the after epoch over
 * B 亩" (the epochs that hid any), or '' when neither hid any. Why: the after epoch can be taken again (the
 * next pass, a drone flight); the before epoch only replaced by another archive scene.
 */
export function unusableEpochs(c: { beforeUnusableMu: number; afterUnusableMu: number }): string {
  const parts = [...(c.beforeUnusableMu > 0 ? [`in the before epoch over ${c.beforeUnusableMu.toFixed(2)} 亩`] : []), ...(c.afterUnusableMu > 0 ? [`in the after epoch over ${c.afterUnusableMu.toFixed(2)} 亩`] : [])];
  return parts.length > 0 ? `unusable ${parts.join(', ')}` : '';
}

/**
 * The ground each scene pair's detection examined (usable in both epochs), in all and within each mask
 * layer, and which epoch hid the rest: where it could not look, no 图斑 is no news. `nameOf` names a scene.
 */
export function coverageReport(coverage: readonly PairCoverage[], nameOf: (sceneId: string) => string): string {
  if (coverage.length === 0) return '';
  const lines = ['  examined (usable in both epochs; the rest — nodata, fill, cloud, shadow, masked — was not looked at)'];
  for (const c of coverage) {
    const layers = [...(c.farmland ? [`farmland ${examinedShare(c.farmland)}`] : []), ...(c.redline ? [`red line ${examinedShare(c.redline)}`] : [])];
    const hidden = unusableEpochs(c);
    lines.push(`    ${nameOf(c.sceneId)} against ${c.baselineSceneId}, ${c.tiles} tile(s): ${examinedShare(c)}${layers.length > 0 ? `; ${layers.join('; ')}` : ''}${hidden ? `; ${hidden}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
