/**
 * A fast, deterministic 64-bit string hash (two 32-bit lanes, cyrb53-style
 * mixing) used to fingerprint each run's trace; the grade's traceDigest is a
 * SHA-256 over these per-run fingerprints. Plain integer arithmetic: it stays
 * fast in an SES-locked-down realm, where byte-oriented SHA-256 of whole traces
 * was measured 5–15× slower than in a plain realm.
 */
export class FastHash {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;

  update(s: string): this {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    // Separate consecutive updates so ["ab","c"] and ["a","bc"] differ.
    h1 = Math.imul(h1 ^ 0x0a, 2654435761);
    h2 = Math.imul(h2 ^ 0x0a, 1597334677);
    this.h1 = h1;
    this.h2 = h2;
    return this;
  }

  /** 16 hex digits. */
  hex(): string {
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
  }
}
