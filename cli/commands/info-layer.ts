import { open } from 'node:fs/promises';
import { APPROVAL_KINDS, parseApprovalLayer, readLayerFile, type ApprovalLayer } from '@shoutu/shared';
import { describeLayer, type LayerDescription } from '@shoutu/shared/masks/describe-layer.js';
import { isInvalidInput } from '@shoutu/shared/errors.js';

/** Whether `path` is a polygon layer rather than a GeoTIFF: a .shp, or a file that does not start as a TIFF does. */
export async function isLayerFile(path: string): Promise<boolean> {
  if (/\.shp$/i.test(path)) return true;
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    const tiff = bytesRead === 4 && ((head[0] === 0x49 && head[1] === 0x49 && head[3] === 0) || (head[0] === 0x4d && head[1] === 0x4d && head[2] === 0));
    return !tiff;
  } finally {
    await handle.close();
  }
}

/** What `shoutu info` says of a layer: its description, and whether it reads as an approval layer (and why not). */
export interface LayerInfo {
  file: string;
  /** the entry of a zip archive the layer was read from; the EPSG code a shapefile's .prj was read as */
  archiveEntry?: string;
  shapefileEpsg?: number;
  layer: LayerDescription;
  approvals: { count: number; kinds: Record<string, number>; validFrom: string; validTo: string | null } | { refused: string };
}

export async function layerInfo(path: string): Promise<LayerInfo> {
  const file = await readLayerFile(path);
  const name = file.archiveEntry ?? path;
  const layer = describeLayer(file.bytes, name);
  let approvals: LayerInfo['approvals'];
  try {
    approvals = approvalSummary(parseApprovalLayer(file.bytes, name));
  } catch (error) {
    if (!isInvalidInput(error)) throw error;
    approvals = { refused: error.message };
  }
  return { file: path, ...(file.archiveEntry ? { archiveEntry: file.archiveEntry } : {}), ...(file.shapefileEpsg !== undefined ? { shapefileEpsg: file.shapefileEpsg } : {}), layer, approvals };
}

function approvalSummary(parsed: ApprovalLayer): LayerInfo['approvals'] {
  const kinds = Object.fromEntries(APPROVAL_KINDS.map((k) => [k, parsed.approvals.filter((a) => a.kind === k).length]).filter(([, n]) => n !== 0));
  const from = parsed.approvals.map((a) => a.validFrom).sort()[0] ?? '';
  const ends = parsed.approvals.map((a) => a.validTo);
  return { count: parsed.approvals.length, kinds, validFrom: from, validTo: ends.includes(null) ? null : (ends as string[]).sort().at(-1) ?? null };
}

const count = (n: number) => n.toLocaleString('en');
const box = (e: [number, number, number, number] | null, digits: number) => (e === null ? 'empty' : `(${e[0].toFixed(digits)}, ${e[1].toFixed(digits)}) – (${e[2].toFixed(digits)}, ${e[3].toFixed(digits)})`);

export function formatLayerInfo(info: LayerInfo): string {
  const { layer, approvals } = info;
  const form = info.shapefileEpsg !== undefined ? `shapefile${info.archiveEntry ? ` ${info.archiveEntry} in a zip archive` : ''}, read as GeoJSON` : info.archiveEntry ? `GeoJSON ${info.archiveEntry} in a zip archive` : 'GeoJSON';
  const width = Math.max(0, ...layer.properties.map((p) => p.name.length));
  const geographic = layer.extent !== null && layer.lonLatExtent !== null && layer.epsg === 4490;
  const lines = [
    `${info.file} (polygon layer: ${form})`,
    `  CRS            EPSG:${layer.epsg}${info.shapefileEpsg !== undefined ? ' (from the .prj)' : ''}`,
    `  features       ${count(layer.features)}: ${count(layer.polygons)} polygon(s), ${count(layer.rings)} ring(s), ${count(layer.vertices)} vertices`,
    `  extent         ${box(layer.extent, geographic ? 6 : 2)}${geographic ? '' : ` in EPSG:${layer.epsg}; longitude, latitude ${box(layer.lonLatExtent, 6)} (CGCS2000)`}`,
    `  properties     ${layer.properties.length === 0 ? 'none' : `${layer.properties.length} (kinds of value; features with a value)`}`,
    ...layer.properties.map((p) => `    ${p.name.padEnd(width)}  ${p.kinds.join(' or ')}; ${count(p.present)} of ${count(layer.features)}`),
    'refused' in approvals
      ? `  as approvals   no: ${approvals.refused.startsWith(`${info.archiveEntry ?? info.file}: `) ? approvals.refused.slice((info.archiveEntry ?? info.file).length + 2) : approvals.refused} (an approval register with its own field names is mapped: shoutu approvals FILE --fields number=…,validFrom=…)`
      : `  as approvals   ${count(approvals.count)} approval(s) (${Object.entries(approvals.kinds).map(([k, n]) => `${k} ${n}`).join(', ')}), valid from ${approvals.validFrom} to ${approvals.validTo ?? 'no end'}`,
    `  sha256         ${layer.sha256}${info.shapefileEpsg !== undefined || info.archiveEntry ? ' (of the GeoJSON shoutu stores)' : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}
