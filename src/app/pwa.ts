/// <reference types="vite-plugin-pwa/client" />

/** Delay after the page has loaded before the service worker starts precaching (~20 MB). */
const REGISTER_DELAY_MS = 4000;

/**
 * Registers the service worker that makes the app work offline after one visit
 * (production builds only). Best effort: without it the app still works online.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const start = () => {
    import('virtual:pwa-register')
      .then(({ registerSW }) => registerSW({ immediate: true }))
      .catch((error: unknown) => console.warn('service worker not registered', error));
  };
  const later = () => window.setTimeout(start, REGISTER_DELAY_MS);
  if (document.readyState === 'complete') later();
  else window.addEventListener('load', later, { once: true });
}
