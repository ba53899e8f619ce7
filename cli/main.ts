import { ShoutuError } from '@shoutu/shared/errors.js';

const HEADER = `shoutu — change patches (图斑) on farmland and the ecological red line, from imagery batches`;
const ENVIRONMENT = `Environment: SHOUTU_DATA_DIR (default ./data), REDIS_URL, S3_BUCKET, S3_ENDPOINT, … (see README.md)`;

/** Each command's usage lines, in the order the overview lists them. */
const COMMAND_USAGE: ReadonlyArray<readonly [string, string]> = [
  ['demo', `  demo [--data-dir DIR]     ingest the Taizhou fixture epochs in embedded mode and print the alerts`],
  [
    'ingest',
    `  ingest DIR|s3://B/P/      run (embedded) or enqueue (REDIS_URL set) an imagery batch folder or S3 prefix
      [--tile-size N] [--min-area M2] [--alert-on masks|all] [--no-opening] [--rerun TAG]`,
  ],
  [
    'masks',
    `  masks --farmland F.geojson|F.shp|F.zip --redline R.geojson|R.shp|R.zip [--region CODE]
      | masks --region CODE --clear farmland|redline | masks --list
                            set the current mask layers (GeoJSON polygons, or an ESRI shapefile with its .prj,
                            in a CRS shoutu knows; or a zip archive of one such layer): deployment-wide, or
                            with --region a province's, city's or county's; a batch pins those of its county`,
  ],
  [
    'approvals',
    `  approvals FILE.geojson|FILE.shp|FILE.zip [--region CODE] [--fields number=P,kind=P,validFrom=P,validTo=P]
      [--kind KIND] | approvals --region CODE --clear
                            set the deployment-wide approval layer, or one region's (number, kind,
                            validFrom, validTo per feature; --fields names the layer's own properties for
                            them, --kind the kind of every approval); a 图斑 they cover is held as likely legal`,
  ],
  [
    'detect',
    `  detect --before A.tif --after B.tif --out DIR [--bands blue,green,red,nir,...] [--after-bands red,green,blue,...]
      [--farmland F.geojson|F.shp|F.zip]... [--redline R.geojson|R.shp|R.zip]... [--tile-size N] [--min-area M2]
      [--alert-on masks|all] [--no-opening] [--before-cloud-mask M.tif] [--after-cloud-mask M.tif] [--cloud-mask-values v,...] [--saturation V]
      [--nodata V | --before-nodata V --after-nodata V] [--reflectance-scale S [--reflectance-offset O]] [--no-coregister]
                            change detection on a pair: change.tif, patches.geojson, summary.json
                            (an after file offset by half a pixel or more is read whole pixels over to match)
                            (files of two sensors: compared on the bands both hold; --after-bands names the after file's)
                            (worker threads: SHOUTU_THREADS, default every core; same bytes for any count)`,
  ],
  [
    'scenes',
    `  scenes [--bbox minLon,minLat,maxLon,maxLat] [--from DATE] [--to DATE] [--json]
                            the ingested scenes over an area and a date range (table, or STAC Items)`,
  ],
  [
    'info',
    `  info FILE|URL [--json]    what shoutu reads from a GeoTIFF: size, bands, sample type, CRS, geotransform,
                            nodata, compression, tiling, overviews, mask, band descriptions and the band
                            names read from them, per-band SHA-256 of the samples
                            (http(s):// and s3:// read by byte ranges); of a polygon layer (GeoJSON, a
                            shapefile, a zip of one): CRS, features and vertices, extent, properties, and
                            whether it reads as an approval layer`,
  ],
  ['replay', `  replay RECORD             re-run a run record (file path or storage key runs/<batch>.json); exit 0 iff identical`],
  [
    'worker',
    `  worker ingest|detect|alert|webhook
                            run one stage as a BullMQ worker (needs REDIS_URL); webhook delivers
                            signed 图斑 events to subscribed endpoints`,
  ],
  [
    'serve',
    `  serve                     HTTP API on PORT (default 8080): OGC API – Features for the alerts
                            (team tokens from SHOUTU_TOKENS_FILE; without it read-only on loopback)`,
  ],
  ['alerts', `  alerts rebuild            restore the Redis index, alert stream and seen-set from storage (queue mode)`],
];

const USAGE = `${HEADER}

Usage: npx shoutu <command> [options]   (npx shoutu <command> --help: that command alone)

Commands:
${COMMAND_USAGE.map(([, text]) => text).join('\n')}

${ENVIRONMENT}`;

/** One command's usage, for `shoutu <command> --help`. */
function commandUsage(name: string): string {
  const text = COMMAND_USAGE.find(([command]) => command === name)?.[1];
  if (text === undefined) return USAGE;
  return `Usage: npx shoutu\n${text}\n\n${ENVIRONMENT}`;
}

/** Whether `args` ask for help (before a `--`, after which everything is an operand). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** node:util parseArgs's errors (unknown option, unexpected operand, missing or wrong value): usage errors. */
function isArgumentError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS_');
}

// Each command's modules load only when it runs: `shoutu detect` starts without the queue and storage
// libraries (about 2 s and 45 MB less under tsx).
const commands: Record<string, (args: string[]) => Promise<number>> = {
  demo: async (args) => (await import('./commands/demo.js')).runDemo(args),
  ingest: async (args) => (await import('./commands/ingest.js')).runIngest(args),
  info: async (args) => (await import('./commands/info.js')).runInfo(args),
  scenes: async (args) => (await import('./commands/scenes.js')).runScenes(args),
  masks: async (args) => (await import('./commands/masks.js')).runMasks(args),
  approvals: async (args) => (await import('./commands/approvals.js')).runApprovals(args),
  detect: async (args) => (await import('./commands/detect.js')).runDetect(args),
  replay: async (args) => (await import('./commands/replay.js')).runReplay(args),
  worker: async (args) => (await import('./commands/worker.js')).runWorker(args),
  serve: async (args) => (await import('./commands/serve.js')).runServe(args),
  alerts: async (args) => (await import('./commands/alerts.js')).runAlerts(args),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 1 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`shoutu: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  if (asksForHelp(args)) {
    process.stdout.write(`${commandUsage(name)}\n`);
    return 0;
  }
  try {
    return await command(args);
  } catch (error) {
    if (isArgumentError(error)) {
      process.stderr.write(`shoutu ${name}: ${error.message}\n(npx shoutu ${name} --help lists its options)\n`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ShoutuError) {
      process.stderr.write(`shoutu: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`shoutu: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
