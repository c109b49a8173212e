import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { extractTar } from '../support/untar.ts';

/** One ustar entry: a 512-byte header (with a valid checksum) and the body padded to 512. */
function entry(name: string, body: Buffer | string = '', opts: { type?: string; mode?: number; prefix?: string } = {}): Buffer {
  const data = Buffer.from(body);
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(`${(opts.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write(opts.type ?? '0', 156);
  h.write('ustar\0' + '00', 257);
  if (opts.prefix) h.write(opts.prefix, 345, 155, 'utf8');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

const end = Buffer.alloc(1024);
const fresh = (): string => mkdtempSync(join(tmpdir(), 'mdl-untar-'));

describe('extractTar', () => {
  it('extracts files and directories with their bodies, modes and prefixed names', () => {
    const big = Buffer.alloc(1300, 7); // not a multiple of 512: the next header must still be found
    const deepDir = 'a'.repeat(60) + '/' + 'b'.repeat(60);
    const archive = Buffer.concat([
      entry('lib/', '', { type: '5', mode: 0o755 }),
      entry('lib/big.so', big, { mode: 0o755 }),
      entry('conf.txt', 'hello'),
      entry('file.txt', 'deep', { prefix: deepDir }),
      entry('PaxHeader', 'ignored=1\n', { type: 'x' }),
      entry('after-pax.txt', 'ok'),
      end,
    ]);
    const dest = fresh();
    const names = extractTar(archive, dest);
    expect(names).toEqual(['lib', 'lib/big.so', 'conf.txt', `${deepDir}/file.txt`, 'after-pax.txt']);
    expect(readFileSync(join(dest, 'lib/big.so')).equals(big)).toBe(true);
    expect(statSync(join(dest, 'lib/big.so')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(dest, 'conf.txt'), 'utf8')).toBe('hello');
    expect(statSync(join(dest, 'conf.txt')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dest, deepDir, 'file.txt'), 'utf8')).toBe('deep');
    expect(readFileSync(join(dest, 'after-pax.txt'), 'utf8')).toBe('ok');
    expect(existsSync(join(dest, 'PaxHeader'))).toBe(false);
  });

  it('reads the archives shipped in @sparticuz/chromium (fonts: Open Sans TrueType files)', () => {
    const bin = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', 'bin');
    const dest = fresh();
    extractTar(brotliDecompressSync(readFileSync(join(bin, 'fonts.tar.br'))), dest);
    const fonts = readdirSync(join(dest, 'fonts', 'Open_Sans'));
    expect(fonts).toContain('OpenSans-Regular.ttf');
    for (const f of fonts) expect(readFileSync(join(dest, 'fonts', 'Open_Sans', f)).readUInt32BE(0)).toBe(0x00010000);
  });

  it('refuses entries that would land outside the destination, and writes nothing for them', () => {
    for (const name of ['../escape.txt', '/etc/escape.txt', 'ok/../../escape.txt']) {
      const parent = fresh();
      const dest = join(parent, 'dest');
      expect(() => extractTar(Buffer.concat([entry(name, 'x'), end]), dest)).toThrow(/outside the destination/);
      expect(existsSync(join(parent, 'escape.txt'))).toBe(false);
    }
  });

  it('refuses links and other entry types instead of skipping them', () => {
    expect(() => extractTar(Buffer.concat([entry('link', '', { type: '2' }), end]), fresh())).toThrow(/unsupported entry type '2' for link/);
  });

  it('refuses a corrupt header or a truncated body', () => {
    const bad = entry('a.txt', 'hello');
    bad[0] = 'b'.charCodeAt(0); // name changed, checksum not
    expect(() => extractTar(Buffer.concat([bad, end]), fresh())).toThrow(/bad header checksum at byte 0/);
    const whole = entry('a.txt', Buffer.alloc(2000));
    expect(() => extractTar(whole.subarray(0, 1024), fresh())).toThrow(/a\.txt is truncated/);
  });
});
