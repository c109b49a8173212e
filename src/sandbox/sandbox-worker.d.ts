/** `import source from './entry.ts?sandbox-worker'` (see vite-plugin.ts). */
declare module '*?sandbox-worker' {
  const source: string;
  export default source;
}
