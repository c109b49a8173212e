import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { LabStore, StorageError, classifyStorageError } from '../persistence/store.ts';
import type { Engine } from './engine.ts';

export interface AppServices {
  store: LabStore;
  engine: Promise<Engine>;
  storageError: StorageError | null;
  reportStorageError(error: unknown): void;
  clearStorageError(): void;
}

const ServicesContext = createContext<AppServices | null>(null);

export function ServicesProvider(props: { store: LabStore; engine: Promise<Engine>; children: ReactNode }) {
  const [storageError, setStorageError] = useState<StorageError | null>(null);
  const reportStorageError = useCallback((error: unknown) => {
    const classified = classifyStorageError(error);
    console.warn('storage failure', classified);
    setStorageError(classified);
  }, []);
  const clearStorageError = useCallback(() => setStorageError(null), []);
  useEffect(() => {
    props.store.open().catch(reportStorageError);
  }, [props.store, reportStorageError]);
  const value = useMemo(
    () => ({ store: props.store, engine: props.engine, storageError, reportStorageError, clearStorageError }),
    [props.store, props.engine, storageError, reportStorageError, clearStorageError],
  );
  return <ServicesContext.Provider value={value}>{props.children}</ServicesContext.Provider>;
}

export function useServices(): AppServices {
  const value = useContext(ServicesContext);
  if (!value) throw new Error('useServices outside ServicesProvider');
  return value;
}
