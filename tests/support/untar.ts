import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';

/**
 * Synchronous extraction of a plain (ustar/GNU) tar archive held in memory: regular files and
 * directories only. It exists because the browser resolver (tests/support/browser.ts) must be
 * synchronous — Playwright evaluates its config file without awaiting — while the tar reader that
 * ships with @sparticuz/chromium (tar-fs) is stream-based. Anything else in the archive (links,
 * devices, long-name extensions) is refused with a clear error rather than skipped.
 * Returns the extracted paths, relative to `dest`.
 */
export function extractTar(archive: Uint8Array, dest: string): string[] {
  const out: string[] = [];
  const buf = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  let offset = 0;
  while (offset + 512 <= buf.length) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    if (!checksumOk(header)) throw new Error(`tar: bad header checksum at byte ${offset}`);
    const name = joinName(text(header, 345, 155), text(header, 0, 100));
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156]!);
    const body = offset + 512;
    if (body + size > buf.length) throw new Error(`tar: ${name} is truncated`);
    offset = body + Math.ceil(size / 512) * 512;
    if (type === 'x' || type === 'g') continue; // pax metadata (mtime, owner): nothing we need
    const rel = safeRelative(name);
    if (type === '5') {
      mkdirSync(join(dest, rel), { recursive: true });
    } else if (type === '0' || type === '\0' || type === '7') {
      const file = join(dest, rel);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, buf.subarray(body, body + size), { mode: octal(header, 100, 8) & 0o777 });
    } else {
      throw new Error(`tar: unsupported entry type '${type}' for ${name}`);
    }
    out.push(rel);
  }
  return out;
}

function text(header: Buffer, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('utf8');
}

function octal(header: Buffer, start: number, length: number): number {
  const s = text(header, start, length).trim();
  if (!/^[0-7]*$/.test(s)) throw new Error(`tar: bad number field "${s}"`);
  return s === '' ? 0 : parseInt(s, 8);
}

/** The header checksum: the byte sum with the checksum field itself counted as spaces. */
function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === octal(header, 148, 8);
}

function joinName(prefix: string, name: string): string {
  return prefix ? `${prefix}/${name}` : name;
}

/** Entries must stay inside the destination: no absolute paths, no `..`. */
function safeRelative(name: string): string {
  const rel = normalize(name).replace(/[/\\]+$/, '');
  if (!rel || rel === '.' || isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) {
    throw new Error(`tar: entry "${name}" would land outside the destination`);
  }
  return rel;
}
