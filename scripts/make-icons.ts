/**
 * Draws the app icon into public/: three services linked by messages, one link broken (the
 * simulator fails on purpose). PNGs for the PWA manifest (192, 512, maskable 512), the Apple touch
 * icon (180) and an SVG favicon, all from one geometry. No image library: a tiny rasteriser with
 * 4×4 supersampling and a minimal PNG encoder (RGBA, filter 0, zlib).
 * Run: `npm run icons` (tests/unit/public-assets.test.ts checks the committed files match).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];
export type IconKind = 'any' | 'maskable';

const BACKGROUND: Rgb = [0x24, 0x56, 0xc7]; // --accent in src/app/styles.css
const LINK: Rgb = [0xff, 0xff, 0xff];
const BROKEN: Rgb = [0xff, 0x9f, 0x1a]; // --focus
const NODE: Rgb = [0xff, 0xff, 0xff];

/** Geometry in a unit square (y down). */
const NODES = [
  [0.5, 0.27],
  [0.25, 0.7],
  [0.75, 0.7],
] as const;
const NODE_R = 0.11;
const LINK_W = 0.05;
/** The bottom link is drawn as two stubs with a gap: a lost message. */
const GAP = 0.14; // between the stubs' centre-line ends; round caps take LINK_W of it
const CORNER = 0.2; // rounded-square radius for 'any' icons
/** Maskable icons are cropped to a circle of 80 % diameter: keep the drawing inside it. */
const MASKABLE_SCALE = 0.7;

interface Segment {
  a: readonly [number, number];
  b: readonly [number, number];
  color: Rgb;
}

function segments(): Segment[] {
  const [top, left, right] = NODES;
  const mid = (left[0] + right[0]) / 2;
  return [
    { a: top, b: left, color: LINK },
    { a: top, b: right, color: LINK },
    { a: left, b: [mid - GAP / 2, left[1]], color: BROKEN },
    { a: [mid + GAP / 2, right[1]], b: right, color: BROKEN },
  ];
}

function distToSegment(px: number, py: number, s: Segment): number {
  const [ax, ay] = s.a;
  const [bx, by] = s.b;
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function insideRoundedSquare(x: number, y: number, r: number): boolean {
  const qx = Math.max(Math.abs(x - 0.5) - (0.5 - r), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.5 - r), 0);
  return Math.hypot(qx, qy) <= r;
}

/** Colour (and coverage) of one sample point in the unit square. */
function sample(x: number, y: number, kind: IconKind): Rgb | null {
  if (kind === 'any' && !insideRoundedSquare(x, y, CORNER)) return null;
  // Drawing coordinates: maskable icons shrink the drawing about the centre.
  const s = kind === 'maskable' ? MASKABLE_SCALE : 1;
  const u = (x - 0.5) / s + 0.5;
  const v = (y - 0.5) / s + 0.5;
  for (const [nx, ny] of NODES) if (Math.hypot(u - nx, v - ny) <= NODE_R) return NODE;
  for (const seg of segments()) if (distToSegment(u, v, seg) <= LINK_W / 2) return seg.color;
  return BACKGROUND;
}

/** RGBA pixels, row-major, `size`×`size`. */
export function drawIcon(size: number, kind: IconKind): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const n = 4; // samples per axis
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const c = sample((x + (i + 0.5) / n) / size, (y + (j + 0.5) / n) / size, kind);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const o = (y * size + x) * 4;
      if (a > 0) {
        // Un-premultiplied colour of the covered samples; alpha = coverage.
        px[o] = Math.round(r / a);
        px[o + 1] = Math.round(g / a);
        px[o + 2] = Math.round(b / a);
        px[o + 3] = Math.round((255 * a) / (n * n));
      }
    }
  }
  return px;
}

/** A PNG file: 8-bit RGBA, no interlace, every row filter 0 (None). */
export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0;
    rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const hex = (c: Rgb): string => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** The same drawing as a 64-unit SVG (the favicon: crisp at every size). */
export function iconSvg(): string {
  const k = (v: number): string => String(Math.round(v * 64 * 100) / 100);
  const lines = segments()
    .map((s) => `<line x1="${k(s.a[0])}" y1="${k(s.a[1])}" x2="${k(s.b[0])}" y2="${k(s.b[1])}" stroke="${hex(s.color)}"/>`)
    .join('');
  const dots = NODES.map(([x, y]) => `<circle cx="${k(x)}" cy="${k(y)}" r="${k(NODE_R)}"/>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">` +
    `<rect width="64" height="64" rx="${k(CORNER)}" fill="${hex(BACKGROUND)}"/>` +
    `<g stroke-width="${k(LINK_W)}" stroke-linecap="round">${lines}</g>` +
    `<g fill="${hex(NODE)}">${dots}</g></svg>\n`
  );
}

/** Every file this script writes into public/, by name. */
export const ICONS: readonly { file: string; size: number; kind: IconKind }[] = [
  { file: 'icon-192.png', size: 192, kind: 'any' },
  { file: 'icon-512.png', size: 512, kind: 'any' },
  { file: 'icon-maskable-512.png', size: 512, kind: 'maskable' },
  { file: 'apple-touch-icon.png', size: 180, kind: 'maskable' }, // iOS rounds the corners itself
];

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = join(import.meta.dirname, '..', 'public');
  for (const { file, size, kind } of ICONS) writeFileSync(join(dir, file), encodePng(size, drawIcon(size, kind)));
  writeFileSync(join(dir, 'favicon.svg'), iconSvg());
  console.log(`wrote ${ICONS.length} PNGs and favicon.svg into ${dir}`);
}
