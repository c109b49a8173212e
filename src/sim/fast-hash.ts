/**
 * A fast, deterministic 64-bit hash (two 32-bit lanes, cyrb53-style mixing) of
 * strings and numbers, used for trace fingerprints (`Trace.fingerprint()`). Plain
 * integer arithmetic: it stays fast in an SES-locked-down realm, where
 * byte-oriented SHA-256 of whole traces was measured 5–15× slower. Not
 * cryptographic: it identifies runs, it does not resist forgery.
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

  /** Mixes one 32-bit integer. */
  int(x: number): this {
    this.h1 = Math.imul(this.h1 ^ x, 2654435761);
    this.h2 = Math.imul(this.h2 ^ x, 1597334677);
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
// Never reachable from service code; frozen anyway (defence in depth).
Object.freeze(FastHash);
Object.freeze(FastHash.prototype);
