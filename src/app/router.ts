import { useSyncExternalStore } from 'react';

/** Hash routes, so that `vite preview` (or any static host) needs no rewrites. */
export type Route =
  | { name: 'map' }
  | { name: 'exercise'; exerciseId: string }
  | { name: 'replay'; exerciseId: string; checkId: string; seed: number }
  | { name: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts.length === 0) return { name: 'map' };
  if (parts[0] === 'ex' && parts.length === 2) return { name: 'exercise', exerciseId: parts[1]! };
  if (parts[0] === 'ex' && parts.length === 5 && parts[2] === 'replay') {
    const seed = Number(parts[4]);
    if (Number.isSafeInteger(seed)) return { name: 'replay', exerciseId: parts[1]!, checkId: parts[3]!, seed };
  }
  return { name: 'not-found', path };
}

export function mapHref(): string {
  return '#/';
}

export function exerciseHref(exerciseId: string): string {
  return `#/ex/${encodeURIComponent(exerciseId)}`;
}

export function replayHref(exerciseId: string, checkId: string, seed: number): string {
  return `#/ex/${encodeURIComponent(exerciseId)}/replay/${encodeURIComponent(checkId)}/${seed}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash, () => '');
}

export function useRoute(): Route {
  return parseRoute(useHash());
}
