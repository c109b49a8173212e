/**
 * Tiny source-map v3 reader: decodes the VLQ `mappings` of a map produced by
 * `typescript.transpileModule` and maps generated (line, column) positions back
 * to the learner's source. Only what the sandbox needs: one source, no names.
 *
 * Lines and columns in this API are 1-based lines and 1-based columns (the way
 * V8 prints them in stack traces and the way editors show them).
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX: Record<string, number> = {};
for (let i = 0; i < B64.length; i++) B64_INDEX[B64[i]!] = i;

/** One decoded segment: generated column and original (line, column), 0-based. */
interface Segment {
  genCol: number;
  srcLine: number;
  srcCol: number;
}

export interface DecodedMap {
  /** `lines[generatedLine0]` = segments sorted by generated column. */
  lines: Segment[][];
}

/** Decodes one VLQ-encoded group of a mappings line into numbers. */
function decodeVlq(group: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (let i = 0; i < group.length; i++) {
    const digit = B64_INDEX[group[i]!];
    if (digit === undefined) throw new Error(`invalid base64 VLQ digit '${group[i]}'`);
    const cont = digit & 32;
    value += (digit & 31) << shift;
    if (cont) {
      shift += 5;
    } else {
      const negative = value & 1;
      const magnitude = value >>> 1;
      out.push(negative ? -magnitude : magnitude);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** Decodes the `mappings` field of a source map (JSON text or object). */
export function decodeSourceMap(map: string | { mappings: string }): DecodedMap {
  const mappings = typeof map === 'string' ? (JSON.parse(map) as { mappings: string }).mappings : map.mappings;
  const lines: Segment[][] = [];
  let srcLine = 0;
  let srcCol = 0;
  let srcIdx = 0;
  for (const lineText of mappings.split(';')) {
    const segs: Segment[] = [];
    let genCol = 0;
    if (lineText.length > 0) {
      for (const group of lineText.split(',')) {
        if (group.length === 0) continue;
        const f = decodeVlq(group);
        genCol += f[0] ?? 0;
        if (f.length >= 4) {
          srcIdx += f[1]!;
          srcLine += f[2]!;
          srcCol += f[3]!;
          segs.push({ genCol, srcLine, srcCol });
        }
      }
    }
    segs.sort((a, b) => a.genCol - b.genCol);
    lines.push(segs);
  }
  void srcIdx;
  return { lines };
}

/**
 * Maps a generated position (1-based line and column) to the original source
 * position (1-based). Falls back to the nearest mapped segment on the same line,
 * then to the closest previous line that has a mapping.
 */
export function originalPosition(map: DecodedMap, line: number, column: number): { line: number; column: number } | undefined {
  const l0 = line - 1;
  const c0 = column - 1;
  const segs = map.lines[l0];
  if (segs && segs.length > 0) {
    let best: Segment | undefined;
    for (const s of segs) {
      if (s.genCol <= c0) best = s;
      else break;
    }
    const s = best ?? segs[0]!;
    const delta = best ? c0 - best.genCol : 0;
    return { line: s.srcLine + 1, column: s.srcCol + 1 + Math.max(0, delta) };
  }
  for (let i = Math.min(l0 - 1, map.lines.length - 1); i >= 0; i--) {
    const prev = map.lines[i];
    if (prev && prev.length > 0) {
      const s = prev[prev.length - 1]!;
      return { line: s.srcLine + 1, column: s.srcCol + 1 };
    }
  }
  return undefined;
}
