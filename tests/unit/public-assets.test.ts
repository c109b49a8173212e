import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { ICONS, drawIcon, iconSvg } from '../../scripts/make-icons.ts';

/** public/ holds what the PWA needs; the committed icons are exactly what scripts/make-icons.ts draws. */
const publicDir = join(import.meta.dirname, '../../public');

/** Decodes the PNGs make-icons writes (8-bit RGBA, filter 0), checking every chunk's CRC. */
function decodePng(file: Buffer): { width: number; height: number; rgba: Buffer } {
  expect(file.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const data = file.subarray(offset + 8, offset + 8 + length);
    expect(file.readUInt32BE(offset + 8 + length), `${type} CRC`).toBe(crc32(file.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([...data.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  expect(raw.length).toBe(stride * height);
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * stride], `row ${y} filter`).toBe(0);
    raw.copy(rgba, y * width * 4, y * stride + 1, (y + 1) * stride);
  }
  return { width, height, rgba };
}

describe('public/', () => {
  for (const icon of ICONS) {
    it(`${icon.file} is the ${icon.size}px ${icon.kind} icon that scripts/make-icons.ts draws`, () => {
      const png = decodePng(readFileSync(join(publicDir, icon.file)));
      expect([png.width, png.height]).toEqual([icon.size, icon.size]);
      expect(png.rgba.equals(Buffer.from(drawIcon(icon.size, icon.kind)))).toBe(true);
    });
  }

  it('maskable icons are opaque to the edge (the platform crops them); the others have transparent corners', () => {
    const alphaAt = (px: Uint8Array, size: number, x: number, y: number): number => px[(y * size + x) * 4 + 3]!;
    expect(alphaAt(drawIcon(64, 'maskable'), 64, 0, 0)).toBe(255);
    expect(alphaAt(drawIcon(64, 'any'), 64, 0, 0)).toBe(0);
    expect(alphaAt(drawIcon(64, 'any'), 64, 32, 32)).toBe(255);
  });

  it('favicon.svg is the same drawing, and robots.txt exists', () => {
    expect(readFileSync(join(publicDir, 'favicon.svg'), 'utf8')).toBe(iconSvg());
    expect(existsSync(join(publicDir, 'robots.txt'))).toBe(true);
  });
});
