/**
 * Vite plugin: `import source from './some-entry.ts?sandbox-worker'` gives the
 * source text of a self-contained classic worker script (one IIFE, no imports:
 * a blob Worker inside the opaque-origin sandbox frame cannot load chunks), in
 * dev and in build alike. The entry and everything it imports (ses, the kernel,
 * grading, typescript, ...) are bundled with esbuild (a devDependency).
 *
 * Import it lazily (`await import('...?sandbox-worker')`) so the worker text is
 * its own chunk, fetched when the first grade starts.
 */
import { resolve as resolvePath } from 'node:path';
import type { Plugin } from 'vite';

const QUERY = '?sandbox-worker';

export interface SandboxWorkerPluginOptions {
  /** Minify the worker script (default: true in build, false in dev). */
  minify?: boolean;
}

export function sandboxWorkerPlugin(pluginOptions: SandboxWorkerPluginOptions = {}): Plugin {
  let isBuild = false;
  return {
    name: 'mdl-sandbox-worker',
    enforce: 'pre',
    configResolved(config) {
      isBuild = config.command === 'build';
    },
    async resolveId(source, importer) {
      if (!source.endsWith(QUERY)) return null;
      const bare = source.slice(0, -QUERY.length);
      const resolved = await this.resolve(bare, importer, { skipSelf: true });
      if (!resolved) return null;
      return `${resolved.id}${QUERY}`;
    },
    async load(id) {
      if (!id.endsWith(QUERY)) return null;
      const entry = id.slice(0, -QUERY.length);
      const esbuild = await import('esbuild');
      const result = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        format: 'iife',
        platform: 'browser',
        target: 'es2022',
        write: false,
        metafile: true,
        minify: pluginOptions.minify ?? isBuild,
        legalComments: 'none',
        logLevel: 'silent',
        // typescript's Node-only code paths (its `sys`) are never taken in a worker.
        external: ['fs', 'path', 'os', 'crypto', 'inspector', 'perf_hooks', 'module', 'source-map-support', 'node:*'],
        define: { 'process.env.NODE_ENV': JSON.stringify(isBuild ? 'production' : 'development') },
      });
      for (const input of Object.keys(result.metafile!.inputs)) {
        // esbuild reports inputs relative to the working directory; Vite's dev server needs absolute paths.
        if (!input.includes('node_modules')) this.addWatchFile(resolvePath(input));
      }
      const code = result.outputFiles[0]!.text;
      return { code: `export default ${JSON.stringify(code)};\n`, map: null };
    },
  };
}
