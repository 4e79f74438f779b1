// Draws Divest's icon, build/icon.png (512 x 512, RGBA): a white shield with a check mark on a
// dark blue rounded square. electron-builder derives the Windows .ico and the macOS .icns from
// it, and uses it for the Linux packages. Generated, not hand-made: `node scripts/make-icon.mjs`
// writes the file, `--check` fails when the committed file differs from what this draws
// (test/package/icon.test.ts runs that).
//
// Shapes are signed-distance tests sampled 4 x 4 per pixel (anti-aliasing); the PNG is written by
// hand: signature, IHDR, one IDAT (zlib), IEND, with CRC-32 per chunk.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';

export const SIZE = 512;
const BLUE = [0x1a, 0x44, 0x80]; // USWDS primary-dark
const WHITE = [0xff, 0xff, 0xff];

/** Inside the rounded square background. */
function inBackground(x, y) {
  const r = 104;
  const m = 16;
  const cx = Math.min(Math.max(x, m + r), SIZE - m - r);
  const cy = Math.min(Math.max(y, m + r), SIZE - m - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= m && x <= SIZE - m && y >= m && y <= SIZE - m;
}

/** Inside the shield: straight sides, then curving to a point at the bottom. */
function inShield(x, y) {
  const top = 96;
  const shoulder = 250;
  const bottom = 430;
  const half = 140;
  const cx = SIZE / 2;
  if (y < top || y > bottom) return false;
  // The top edge rises a little towards the middle.
  if (y < top + 18 * ((x - cx) / half) ** 2) return false;
  if (y <= shoulder) return Math.abs(x - cx) <= half;
  const t = (y - shoulder) / (bottom - shoulder);
  return Math.abs(x - cx) <= half * Math.sqrt(1 - t * t);
}

function distToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Inside the check mark (two strokes with round ends). */
function inCheck(x, y) {
  const w = 24;
  return distToSegment(x, y, 190, 262, 238, 316) <= w || distToSegment(x, y, 238, 316, 330, 196) <= w;
}

/** RGBA pixels, row by row. */
export function drawIcon() {
  const px = Buffer.alloc(SIZE * SIZE * 4);
  const n = 4;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      let bg = 0;
      let white = 0;
      for (let sy = 0; sy < n; sy++)
        for (let sx = 0; sx < n; sx++) {
          const fx = x + (sx + 0.5) / n;
          const fy = y + (sy + 0.5) / n;
          if (!inBackground(fx, fy)) continue;
          bg++;
          if (inShield(fx, fy) && !inCheck(fx, fy)) white++;
        }
      const i = (y * SIZE + x) * 4;
      if (bg === 0) continue;
      const w = white / bg;
      for (let c = 0; c < 3; c++) px[i + c] = Math.round(BLUE[c] * (1 - w) + WHITE[c] * w);
      px[i + 3] = Math.round((255 * bg) / (n * n));
    }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, k) => {
  let c = k;
  for (let j = 0; j < 8; j++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG file of RGBA pixels (filter type 0 on every row). */
export function encodePng(rgba, width = SIZE, height = SIZE) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method, no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++)
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Reads back a PNG this script wrote: size and RGBA pixels (checks every CRC). */
export function decodePng(png) {
  let off = 8;
  let width = 0;
  let height = 0;
  const idat = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (crc32(png.subarray(off + 4, off + 8 + len)) !== png.readUInt32BE(off + 8 + len))
      throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    if (raw[y * (width * 4 + 1)] !== 0) throw new Error('only filter type 0 is expected');
    raw.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const ICON_FILE = path.join(here, '..', 'build', 'icon.png');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const pixels = drawIcon();
  if (process.argv.includes('--check')) {
    const committed = decodePng(readFileSync(ICON_FILE));
    if (committed.width !== SIZE || committed.height !== SIZE || !committed.rgba.equals(pixels)) {
      console.error('build/icon.png is not what scripts/make-icon.mjs draws: run node scripts/make-icon.mjs');
      process.exit(1);
    }
    console.log('build/icon.png matches scripts/make-icon.mjs');
  } else {
    writeFileSync(ICON_FILE, encodePng(pixels));
    console.log(`wrote ${ICON_FILE} (${SIZE} x ${SIZE})`);
  }
}
