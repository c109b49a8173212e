import { useEffect, useState } from 'react';

export type AsyncState<T> = { status: 'pending' } | { status: 'ok'; value: T } | { status: 'error'; error: unknown };

/** Resolves a promise into render state; `deps` decide when to ask again. */
export function useAsync<T>(factory: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: 'pending' });
  useEffect(() => {
    let live = true;
    setState({ status: 'pending' });
    factory().then(
      (value) => live && setState({ status: 'ok', value }),
      (error: unknown) => live && setState({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
