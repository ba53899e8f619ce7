#!/usr/bin/env bash
# Rebuilds fixtures/ (committed outputs) from the Taizhou source data.
#
#   scripts/make-fixtures.sh [SOURCE_DIR]
#
# SOURCE_DIR holds before.tif, after.tif, truth.tif and PROVENANCE.md (default: ../shared/data/taizhou,
# relative to the repository root). Needs the GDAL command-line tools and GDAL's Python bindings (osgeo).
# Tests read only fixtures/, never SOURCE_DIR.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="${1:-$REPO/../shared/data/taizhou}"
SRC="$(cd "$SRC" && pwd)"
OUT="$REPO/fixtures"

# GDAL must not leave .aux.xml side-car files next to the fixtures.
export GDAL_PAM_ENABLED=NO

for tool in gdal_translate gdalinfo sha256sum; do
  command -v "$tool" >/dev/null || { echo "make-fixtures: $tool is required" >&2; exit 1; }
done
PYTHON=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import osgeo, numpy' 2>/dev/null; then PYTHON="$p"; break; fi
done
[ -n "$PYTHON" ] || { echo "make-fixtures: a python3 with GDAL bindings (osgeo) and numpy is required" >&2; exit 1; }

# The source files this script was written for (sha256). A different source is refused rather than
# silently producing different fixtures.
declare -A EXPECTED=(
  [before.tif]=d61c8869fb2190c3f6f10d1859d1dfcc0c1c6960a7e64323673214473cf75923
  [after.tif]=76968754b5c6c5b1c3190a9a2e99c49202615f41bab476cdba160d527954cb2b
  [truth.tif]=88cf07dcbd30f9663c952f794667aca6bca0292eb2547c94b19366ecca86586b
)
for f in before.tif after.tif truth.tif; do
  [ -f "$SRC/$f" ] || { echo "make-fixtures: $SRC/$f is missing" >&2; exit 1; }
  actual="$(sha256sum "$SRC/$f" | cut -d' ' -f1)"
  if [ "$actual" != "${EXPECTED[$f]}" ]; then
    echo "make-fixtures: $SRC/$f has sha256 $actual, expected ${EXPECTED[$f]}" >&2
    exit 1
  fi
done

write_batch() { # dir batchId acquiredAt [bands-json]
  local bands="${4:-[\"blue\", \"green\", \"red\", \"nir\", \"swir16\", \"swir22\"]}"
  mkdir -p "$1"
  cat >"$1/batch.json" <<JSON
{
  "batchId": "$2",
  "acquiredAt": "$3",
  "platform": "satellite",
  "sensor": "Landsat 7 ETM+",
  "bands": $bands,
  "regionCode": "321202"
}
JSON
}

# --- Taizhou pair ----------------------------------------------------------------------------------
rm -rf "$OUT/taizhou"
mkdir -p "$OUT/taizhou/2000-03-17" "$OUT/taizhou/2003-02-06"
cp "$SRC/before.tif" "$OUT/taizhou/2000-03-17/scene.tif"
cp "$SRC/after.tif" "$OUT/taizhou/2003-02-06/scene.tif"
cp "$SRC/truth.tif" "$OUT/taizhou/truth.tif"
write_batch "$OUT/taizhou/2000-03-17" taizhou-2000-03 2000-03-17
write_batch "$OUT/taizhou/2003-02-06" taizhou-2003-02 2003-02-06

sum() { sha256sum "$1" | cut -d' ' -f1; }
cat >"$OUT/taizhou/PROVENANCE.md" <<MD
# Taizhou (泰州, Jiangsu) Landsat 7 ETM+ pair, 2000-03-17 / 2003-02-06

Test and demo fixture: two epochs of Landsat 7 ETM+ imagery over Taizhou city (海陵区, 行政区划代码 321202)
and a sample of change / no-change reference labels. Made by \`scripts/make-fixtures.sh\` from a prepared copy
of the data (GeoTIFF conversion of the original ENVI files, done with GDAL 3.6.2: band-for-band copy, no
resampling or rescaling, real georeferencing from the ENVI header).

| file | what | sha256 |
|---|---|---|
| \`2000-03-17/scene.tif\` | before: scene L71119038_03820000317 (path 119, row 38), 400×400, 6 bands uint8 | \`$(sum "$OUT/taizhou/2000-03-17/scene.tif")\` |
| \`2003-02-06/scene.tif\` | after: scene L71119038_03820030206, 400×400, 6 bands uint8 | \`$(sum "$OUT/taizhou/2003-02-06/scene.tif")\` |
| \`truth.tif\` | labels: 1 = change, 0 = no change, 255 = not labelled (nodata) | \`$(sum "$OUT/taizhou/truth.tif")\` |
| \`2000-03-17/batch.json\` | batch manifest of the before epoch | \`$(sum "$OUT/taizhou/2000-03-17/batch.json")\` |
| \`2003-02-06/batch.json\` | batch manifest of the after epoch | \`$(sum "$OUT/taizhou/2003-02-06/batch.json")\` |

- Grid: WGS 84 / UTM zone 51N (EPSG:32651), origin (203325, 3604935), 30 m pixels, 400×400, north-up. The
  area (about 119.84–119.97 E, 32.44–32.54 N) lies west of zone 51's nominal range; that is how the source
  header defines it.
- Bands (file order): ETM+ 1, 2, 3, 4, 5, 7 = blue, green, red, nir, swir16, swir22 (centre wavelengths
  0.4825, 0.565, 0.660, 0.825, 1.650, 2.220 µm). Digital numbers as delivered: no calibration, no
  atmospheric correction, the two dates are not radiometrically normalised.
- Labels: 4227 change, 17163 no-change, 138610 unlabelled pixels. The reference is a sample of pixels, not
  a wall-to-wall map: score only pixels != 255.

## Sources and licences

- **Imagery:** Landsat 7 ETM+, U.S. Geological Survey. Landsat data are in the public domain (no copyright
  restrictions); courtesy of the U.S. Geological Survey.
- **Pre-processed images and labels:** repository ChenHongruixuan/ChangeDetectionRepository (mirror of
  I-Hope-Peace/ChangeDetectionRepository), path \`Dataset/Landsat/Taizhou/\` (files 2000TM, 2003TM,
  change.bmp, unchanged.bmp), at commit 2806ab9bfce9a8e4ab62bee135d0df797ec8d597 (first added in
  882a18a8b30faf1bff4cc317a689d725a899135c). MIT licence; notice reproduced below.
- **Please cite** (as the dataset's README asks):
  - C. Wu, B. Du, L. Zhang, "Slow Feature Analysis for Change Detection in Multispectral Imagery",
    IEEE TGRS 52(5):2858–2874, 2014, doi:10.1109/TGRS.2013.2266673.
  - B. Du, L. Ru, C. Wu, L. Zhang, "Unsupervised Deep Slow Feature Analysis for Change Detection in
    Multi-Temporal Remote Sensing Images", IEEE TGRS 57(12):9976–9992, 2019.
  - H. Chen, C. Wu, B. Du, L. Zhang, L. Wang, "Change Detection in Multisource VHR Images via Deep Siamese
    Convolutional Multiple-Layers Recurrent Neural Network", IEEE TGRS 58(4):2848–2864, 2020.

### MIT licence of ChangeDetectionRepository

\`\`\`
MIT License

Copyright (c) 2021 I-Hope-Peace

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
\`\`\`
MD

# --- demo mask layers ------------------------------------------------------------------------------
rm -f "$OUT/masks/farmland.geojson" "$OUT/masks/redline.geojson" "$OUT/masks/README.md"
"$PYTHON" "$REPO/scripts/fixtures/make_masks.py" "$OUT"

# --- GeoTIFF variants for the reader's tests ----------------------------------------------------------
rm -rf "$OUT/raster"
"$PYTHON" "$REPO/scripts/fixtures/make_rasters.py" "$SRC/after.tif" "$OUT"
# the flavour matrix, cut from the Taizhou pair just written
bash "$REPO/scripts/fixtures/make-matrix.sh"

# --- bad inputs for error paths --------------------------------------------------------------------
BAD="$OUT/bad"
rm -rf "$BAD"
mkdir -p "$BAD"

# invalid JSON (truncated object)
mkdir -p "$BAD/broken-manifest"
printf '{\n  "batchId": "bad-broken-manifest",\n  "acquiredAt": "2003-02-06",\n  "platform": "satellite",\n  "bands": ["blue", "green"\n' \
  >"$BAD/broken-manifest/batch.json"

# valid JSON, invalid fields: regionCode "abc", unknown band name "thermal"
write_batch "$BAD/bad-fields" bad-fields 2003-02-06
sed -i 's/"regionCode": "321202"/"regionCode": "abc"/; s/"swir22"/"thermal"/' "$BAD/bad-fields/batch.json"

# scene.tif that is really a PNG
write_batch "$BAD/not-geotiff" bad-not-geotiff 2003-02-06
gdal_translate -q -of PNG -b 1 -srcwin 0 0 16 16 -co WORLDFILE=NO "$SRC/after.tif" "$BAD/not-geotiff/scene.tif"

# a valid 6-band TIFF without any georeferencing (baseline TIFF: no GeoTIFF tags)
write_batch "$BAD/ungeoreferenced" bad-ungeoreferenced 2003-02-06
gdal_translate -q -srcwin 0 0 16 16 -co PROFILE=BASELINE "$SRC/after.tif" "$BAD/ungeoreferenced/scene.tif"

# the manifest says 6 bands, the GeoTIFF has 3
write_batch "$BAD/band-mismatch" bad-band-mismatch 2003-02-06
gdal_translate -q -b 1 -b 2 -b 3 -srcwin 0 0 32 32 "$SRC/after.tif" "$BAD/band-mismatch/scene.tif"

# one good file (64x64 crop of the after scene, on the same 30 m grid) and one that is not a GeoTIFF
write_batch "$BAD/mixed" bad-mixed 2003-02-06
gdal_translate -q -srcwin 104 256 64 64 "$SRC/after.tif" "$BAD/mixed/good.tif"
printf 'This file is not a GeoTIFF. It is a fixture for the error path of a batch with one bad file.\n' >"$BAD/mixed/broken.tif"

cat >"$BAD/README.md" <<'MD'
# Bad inputs (error-path fixtures)

Small batches that ingest must reject, each for one reason. Made by `scripts/make-fixtures.sh`; the
GeoTIFFs are crops of `../taizhou/2003-02-06/scene.tif` (Landsat 7 ETM+, USGS public domain; see
`../taizhou/PROVENANCE.md`).

| folder | what is wrong | expected error |
|---|---|---|
| `broken-manifest/` | `batch.json` is not valid JSON (the object is cut off) | manifest rejected (invalid JSON) |
| `bad-fields/` | `batch.json` is valid JSON but `regionCode` is `"abc"` and `bands` holds the unknown name `"thermal"` | manifest rejected, naming both fields |
| `not-geotiff/` | `scene.tif` is a 16×16 PNG with a .tif name | file rejected: `not_geotiff` |
| `ungeoreferenced/` | `scene.tif` is a valid 16×16, 6-band baseline TIFF with no GeoTIFF tags | file rejected: `not_georeferenced` (field `ModelTiepointTag`: no tie point / pixel scale / transformation) |
| `band-mismatch/` | `batch.json` lists 6 bands, `scene.tif` is a georeferenced 32×32 GeoTIFF with 3 bands | file rejected: band count differs from the manifest |
| `mixed/` | `good.tif` is a valid 64×64, 6-band crop (columns 104–167, rows 256–319 of the Taizhou grid, origin 206445 E / 3597255 N, same 30 m alignment); `broken.tif` is a text file | batch accepted with `good.tif`; `broken.tif` rejected (`not_geotiff`) |

Every batch uses the same manifest fields as the Taizhou batches (`platform` satellite, `sensor`
Landsat 7 ETM+, `regionCode` 321202) apart from the deliberate errors.
MD

cat >"$OUT/README.md" <<'MD'
# Fixtures

Test and demo data, made by `scripts/make-fixtures.sh` (run it to rebuild; the outputs are committed and
the tests read only this folder).

| folder | what |
|---|---|
| `taizhou/` | Landsat 7 ETM+ pair over Taizhou (2000-03-17, 2003-02-06) with batch manifests and reference change labels; sources, licences and checksums in `taizhou/PROVENANCE.md` |
| `masks/` | DEMO 永久基本农田 (farmland) and 生态保护红线 (red line) layers drawn over the Taizhou scene — demonstration data, not official layers (`masks/README.md`) |
| `raster/` | small GeoTIFF variants (layouts, sample types, compressions, georeferencing cases) for the reader's tests (`raster/README.md`) |
| `raster/matrix/` | the GeoTIFF flavour matrix (every compression, predictor, sample type, interleave, BigTIFF, COG, nodata, mask) with what GDAL reads from each file (`raster/matrix/README.md`) |
| `bad/` | small batches that ingest must reject (`bad/README.md`) |
MD

echo "fixtures written to $OUT:"
du -sh "$OUT"
find "$OUT" -type f | sort | while read -r f; do printf '%9d  %s\n' "$(stat -c %s "$f")" "${f#"$OUT"/}"; done
