import { coveredAreaM2, windowAreaM2, type IngestResult } from '@shoutu/shared';
import { tilesOf } from '@shoutu/shared/grid/lattice.js';
import type { ReadCounts } from './progress.js';
import { uncoveredMarks } from './uncovered.js';
import { MASK_LAYERS, type MaskLayerName } from '@shoutu/shared/detection/parameters.js';
import { BULK_THRESHOLD } from '@shoutu/shared/detection/threshold-caution.js';

/**
 * The operator's report at the end of `shoutu ingest`: what was read, each accepted scene with its tiles
 * (lattice tiles it covers, and those queued for detection against an earlier epoch) and true ground
 * area, each rejected file with its reason, each earlier epoch of another sensor a scene is compared with on
 * the bands both hold (and which were left out), each stated reflectance scale whose cloud or shadow test
 * cannot run, each earlier epoch a scene overlaps but is not compared with (and why), and the area the
 * accepted scenes cover together.
 */
export function ingestReport(ingest: IngestResult, read: ReadCounts): string {
  const km2 = (m2: number) => (m2 / 1e6).toFixed(2);
  const queuedOf = new Map<string, number>();
  for (const tile of ingest.tiles) queuedOf.set(tile.sceneId, (queuedOf.get(tile.sceneId) ?? 0) + 1);
  const lines = [
    `batch ${ingest.batchId}: ${ingest.scenes.length} scene(s) accepted, ${ingest.rejected.length} rejected, ${ingest.tiles.length} tile(s) queued ` +
      `(${read.files} file(s) read, ${(read.bytes / 1e6).toFixed(2)} MB)`,
  ];
  if (ingest.scenes.length > 0) {
    const rows = ingest.scenes.map((scene) => {
      const p = scene.placement;
      const area = windowAreaM2(p.lattice, { col: p.col0, row: p.row0, width: p.width, height: p.height });
      return [`  ${scene.file.name}`, scene.sceneId, String(tilesOf(p).length), String(queuedOf.get(scene.sceneId) ?? 0), km2(area)];
    });
    lines.push(...table(['accepted', 'scene', 'tiles', 'queued', 'km²'], rows, [false, false, true, true, true]));
  }
  if (ingest.tiles.length > 0) {
    // The layers the tiles were pinned to (every tile of a batch has the same): where the 图斑 are judged
    const masks = ingest.tiles[0]!.masks;
    const of = (layer: MaskLayerName) => masks.filter((m) => m.layer === layer).map((m) => m.region ?? 'deployment-wide');
    const named = MASK_LAYERS.map((layer) => [layer === 'redline' ? 'red line' : layer, of(layer)] as const).filter(([, regions]) => regions.length > 0);
    lines.push(`  layers checked  ${named.length === 0 ? 'none: no farmland or red-line layer applies to this county' : named.map(([name, regions]) => `${name}: ${regions.join(', ')}`).join('; ')}`);
  }
  if (ingest.rejected.length > 0) {
    lines.push('  rejected');
    for (const r of ingest.rejected) lines.push(`    ${r.name}  ${r.error?.code ?? 'rejected'}: ${r.error?.message ?? ''}`);
  }
  // Fill (validity.fill) is a convention applied to every integer file without nodata, not a mark of the
  // file's own: it is in the scene record, not listed here.
  const transparent = ingest.scenes.filter((s) => s.validity?.alphaBand !== undefined || s.validity?.internalMask);
  if (transparent.length > 0) {
    // Ground inside a scene's extent that it does not cover is left out; its area above still counts it.
    lines.push('  ground a scene does not cover (left out like nodata)');
    for (const s of transparent) lines.push(`    ${s.file.name}: marked by its ${uncoveredMarks(s.validity ?? {})}`);
  }
  const fileOf = new Map(ingest.scenes.map((s) => [s.sceneId, s.file.name]));
  if (ingest.sharedBands.length > 0) {
    // The change evidence of these tiles rests on fewer bands than the scenes hold.
    lines.push('  compared with an earlier epoch of another sensor on the bands both hold');
    const list = (names: string[]) => (names.length > 0 ? names.join(',') : 'none');
    for (const s of ingest.sharedBands) {
      lines.push(
        `    ${fileOf.get(s.sceneId) ?? s.sceneId} against ${s.baselineSceneId}, ${s.tiles} tile(s): compared ${s.compared.join(',')}; ` +
          `left out: this scene's ${list(s.sceneOnly)}, the earlier scene's ${list(s.baselineOnly)}`,
      );
    }
  }
  if (ingest.coregistered.length > 0) {
    // Read whole pixels over so that edges meet; the teams should know the delivery was off.
    lines.push('  co-registered to the earlier epoch (offset by half a pixel or more as delivered: read whole pixels over)');
    for (const c of ingest.coregistered) {
      lines.push(
        `    ${fileOf.get(c.sceneId) ?? c.sceneId} against ${c.baselineSceneId}: offset ${c.beyond ? 'at least ' : ''}${c.measured[0]} column(s) and ${c.measured[1]} row(s), ` +
          `read ${c.shift[0]} column(s) and ${c.shift[1]} row(s) over`,
      );
    }
  }
  if (ingest.offsets.length > 0) {
    // Every edge of such a pair reads as change: co-register before the teams go out.
    lines.push('  looks offset from the earlier epoch (co-register the scenes: an offset reads as change along every edge)');
    for (const o of ingest.offsets) {
      lines.push(`    ${fileOf.get(o.sceneId) ?? o.sceneId} against ${o.baselineSceneId}, ${o.tiles} tile(s): by ${o.beyond ? 'at least ' : ''}${o.shift[0]} column(s) and ${o.shift[1]} row(s)`);
    }
  }
  if (ingest.skyTestsNotRun.length > 0) {
    // A stated scale whose tests cannot run would otherwise pass for clouds tested.
    lines.push('  spectral sky tests not run (clouds or their shadows read as change)');
    for (const s of ingest.skyTestsNotRun) {
      lines.push(`    ${fileOf.get(s.sceneId) ?? s.sceneId}${s.baselineSceneId ? ` against ${s.baselineSceneId}` : ''}: ${s.tests.join(' and ')} test${s.tests.length > 1 ? 's' : ''}: ${s.reason}`);
    }
  }
  if (ingest.thresholdInBulk.length > 0) {
    // Otsu's split runs through unchanged ground when a pair holds no distinct change: its 图斑 may be false.
    lines.push(`  change threshold in the bulk of the pair's scores (below ${BULK_THRESHOLD} times their median: the pair may hold no distinct change; check it before sending field teams)`);
    for (const t of ingest.thresholdInBulk) lines.push(`    ${fileOf.get(t.sceneId) ?? t.sceneId} against ${t.baselineSceneId}, ${t.tiles} tile(s): threshold ${t.threshold.toFixed(4)}`);
  }
  if (ingest.unpaired.length > 0) {
    // Tiles that have an earlier epoch yet were not examined: say so, or they would pass for a first epoch.
    lines.push('  not compared with an earlier epoch');
    for (const u of ingest.unpaired) lines.push(`    ${fileOf.get(u.sceneId) ?? u.sceneId} against ${u.baselineSceneId}, ${u.tiles} tile(s): ${u.reason}`);
  }
  const covered = coveredAreaM2(ingest.scenes.map((s) => s.placement));
  lines.push(`  area covered  ${km2(covered)} km² (true ground area of the accepted scenes; overlaps on one grid counted once)`);
  return `${lines.join('\n')}\n`;
}

/** An indented table; `right` marks right-aligned (number) columns. */
function table(header: string[], rows: string[][], right: boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], indent: string) =>
    indent + cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header, '  '), ...rows.map((r) => line(r, '  '))];
}
