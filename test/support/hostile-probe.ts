/**
 * Opens one GeoTIFF as ingest does and decodes every pixel, then prints what happened and what it cost:
 * {"ok", "code", "field", "message", "cpuMs", "maxRssMb"} — CPU of the open and decode only, peak RSS of
 * the whole process. Run as a child so a hostile file's memory is measured alone.
 */
import { openGeoTiff } from '../../shared/src/raster/index.js';
import { ShoutuError } from '../../shared/src/errors.js';

const path = process.argv[2]!;
const name = path.split('/').pop()!;
const start = process.cpuUsage();
let result: Record<string, unknown>;
try {
  const raster = await openGeoTiff({ path }, name);
  const { width, height } = raster.info;
  for (let y = 0; y < height; y += 256) await raster.readWindow(0, y, width, Math.min(256, height - y));
  await raster.close();
  result = { ok: true };
} catch (error) {
  result = error instanceof ShoutuError ? { ok: false, code: error.code, field: error.field, message: error.message } : { ok: false, crash: String(error) };
}
const cpu = process.cpuUsage(start);
process.stdout.write(`${JSON.stringify({ ...result, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
