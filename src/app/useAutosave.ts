import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LabStore } from '../persistence/store.ts';

/** Delay after the last keystroke before the draft is written. */
export const AUTOSAVE_DELAY_MS = 700;

export interface Autosave {
  schedule(code: string): void;
  flush(): Promise<void>;
  savedAt: number | null;
  pending: boolean;
}

/**
 * Debounced autosave of one exercise's code, flushed on page hide
 * (visibilitychange → hidden, pagehide) and on unmount.
 */
export function useAutosave(store: LabStore, exerciseId: string, onError: (error: unknown) => void): Autosave {
  const pendingCode = useRef<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<Promise<void>>(Promise.resolve());
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [pending, setPending] = useState(false);
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;

  const flush = useCallback((): Promise<void> => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    const code = pendingCode.current;
    if (code === null) return inFlight.current;
    pendingCode.current = null;
    const op = inFlight.current
      .then(() => store.saveDraft(exerciseId, code))
      .then(
        () => {
          setSavedAt(Date.now());
          if (pendingCode.current === null) setPending(false);
        },
        (error: unknown) => {
          setPending(false);
          onErrorRef.current(error);
        },
      );
    inFlight.current = op;
    return op;
  }, [store, exerciseId]);

  const schedule = useCallback(
    (code: string) => {
      pendingCode.current = code;
      setPending(true);
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), AUTOSAVE_DELAY_MS);
    },
    [flush],
  );

  useEffect(() => {
    const onHide = () => {
      if (document.visibilityState === 'hidden') void flush();
    };
    const onPageHide = () => void flush();
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', onPageHide);
      void flush();
    };
  }, [flush]);

  return useMemo(() => ({ schedule, flush, savedAt, pending }), [schedule, flush, savedAt, pending]);
}
