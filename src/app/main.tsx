import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LabStore, requestPersistentStorage } from '../persistence/store.ts';
import { App } from './App.tsx';
import { loadEngine } from './engine.ts';
import { loadEditor } from './editor-loader.ts';
import { ServicesProvider } from './services.tsx';
import { registerServiceWorker } from './pwa.ts';
import './styles.css';

// Deep link into an exercise: fetch the editor chunk right away, in parallel with the catalogue.
if (window.location.hash.startsWith('#/ex/')) void loadEditor();

const store = new LabStore();
const engine = loadEngine();
// Avoid an unhandled rejection before a view subscribes; views show the error themselves.
engine.catch(() => undefined);
void requestPersistentStorage();
registerServiceWorker();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ServicesProvider store={store} engine={engine}>
      <App />
    </ServicesProvider>
  </StrictMode>,
);
