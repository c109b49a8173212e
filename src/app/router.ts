import { useSyncExternalStore } from 'react';

/** Hash routes, so that `vite preview` (or any static host) needs no rewrites. */
export type Route =
  | { name: 'map' }
  | { name: 'exercise'; exerciseId: string }
  /** Replays one run of a check: a random fault run with `seed`, or a deterministic `scenario`. */
  | { name: 'replay'; exerciseId: string; checkId: string; seed?: number; scenario?: string }
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
    if (/^\d+$/.test(parts[4]!) && Number.isSafeInteger(seed)) return { name: 'replay', exerciseId: parts[1]!, checkId: parts[3]!, seed };
  }
  if (parts[0] === 'ex' && parts.length === 6 && parts[2] === 'replay' && parts[4] === 's') {
    return { name: 'replay', exerciseId: parts[1]!, checkId: parts[3]!, scenario: parts[5]! };
  }
  return { name: 'not-found', path };
}

export function mapHref(): string {
  return '#/';
}

export function exerciseHref(exerciseId: string): string {
  return `#/ex/${encodeURIComponent(exerciseId)}`;
}

/** Link to a replay of a random fault run (`seed`) or of a deterministic scenario. */
export function replayHref(exerciseId: string, checkId: string, target: { seed: number } | { scenario: string }): string {
  const base = `#/ex/${encodeURIComponent(exerciseId)}/replay/${encodeURIComponent(checkId)}`;
  return 'seed' in target ? `${base}/${target.seed}` : `${base}/s/${encodeURIComponent(target.scenario)}`;
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
