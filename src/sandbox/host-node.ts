/**
 * Node host: runs each job in a fresh worker_threads Worker (SES lockdown
 * inside), one job at a time, with the job discipline of job-host.ts (fresh
 * worker per job, warm spare, per-segment and total wall clocks), a V8 heap
 * cap (resourceLimits) and a memory watchdog on the process's RSS: memory
 * outside the V8 heap (ArrayBuffers) is invisible to resourceLimits and to the
 * main thread's `process.memoryUsage().arrayBuffers`, but not to the RSS.
 *
 * TypeScript worker entries (`.ts`) are started through node-worker-boot.mjs,
 * which registers tsx's ESM loader inside the worker (Node 20 ignores `--import`
 * in a worker's execArgv); this works from vitest, from `tsx src/cli/grade.ts`
 * and from plain node.
 */
import { Worker } from 'node:worker_threads';
import { createJobHost, readyLatch, type WorkerHandle } from './job-host.ts';
import { crashedText, memoryText, type SandboxHost, type WorkerToHost } from './protocol.ts';

export type { JobOutcome, RunOptions, SandboxHost } from './protocol.ts';

export interface NodeHostOptions {
  /** Worker entry module (.ts via tsx, or .js/.mjs). */
  workerEntry: URL;
  /** Hard real-time budget of one job segment (restarted by messages posted with `restartClock`). */
  wallClockMs: number;
  /** V8 old-generation heap cap of the worker (resourceLimits.maxOldGenerationSizeMb). */
  memoryMb: number;
  /**
   * The job is stopped when the process's RSS grows more than this over its
   * value when the job started (default 2 × memoryMb + 256): catches memory the
   * heap cap does not see (ArrayBuffers, a flood of messages).
   */
  rssLimitMb?: number;
  /** Keep a started worker ready for the next job (default true; a one-job CLI turns it off). */
  spare?: boolean;
  /** Passed to the worker as workerData. */
  workerData?: unknown;
  /** Extra execArgv for the worker (tsx is added automatically for .ts entries). */
  execArgv?: string[];
  /** Worker stack size in MB (default: Node's default, 4). */
  stackSizeMb?: number;
  /** How a .ts entry is started (default 'bundle', falling back to 'tsx'). */
  tsEntry?: TsEntryMode;
}

/**
 * How a TypeScript worker entry is started:
 *  - 'bundle' (default): our sources are bundled once per process with esbuild
 *    (a dependency of tsx and vite) into node_modules/.cache/mdl-sandbox/, npm
 *    packages stay external; workers then start in ~0.2 s instead of ~0.7 s;
 *  - 'tsx': node-worker-boot.mjs registers tsx in each worker (fallback when
 *    esbuild cannot be loaded).
 */
export type TsEntryMode = 'bundle' | 'tsx';

const bundles = new Map<string, Promise<URL>>();

async function bundleEntry(entry: URL): Promise<URL> {
  const { fileURLToPath, pathToFileURL } = await import('node:url');
  const { mkdirSync, writeFileSync, renameSync, existsSync } = await import('node:fs');
  const { createHash } = await import('node:crypto');
  const path = await import('node:path');
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const entryPath = fileURLToPath(entry);
  // The cache lives inside the project's node_modules so that the bundle's bare
  // imports (ses, typescript, ...) resolve exactly as from the sources.
  let root = path.dirname(entryPath);
  while (!existsSync(path.join(root, 'node_modules')) && path.dirname(root) !== root) root = path.dirname(root);
  const out = await esbuild.build({
    entryPoints: [entryPath],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    metafile: true,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  // A bundled module's `import.meta.url` would point at the cache file: entries
  // whose own sources use it (to find files) must run unbundled (tsx mode).
  const { readFileSync } = await import('node:fs');
  for (const input of Object.keys(out.metafile!.inputs)) {
    if (input.includes('node_modules')) continue;
    const abs = path.resolve(input);
    if (/\bimport\.meta\.(url|dirname|filename|resolve)\b/.test(readFileSync(abs, 'utf8'))) {
      throw new Error(`${input} uses import.meta: cannot be bundled`);
    }
  }
  const text = out.outputFiles[0]!.text;
  const dir = path.join(root, 'node_modules', '.cache', 'mdl-sandbox');
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const file = path.join(dir, `${path.basename(entryPath).replace(/\.\w+$/, '')}-${hash}.mjs`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file); // atomic: parallel test processes may race here
  }
  return pathToFileURL(file);
}

/** Bundles a TS worker entry once per process (cached promise). */
export function prepareWorkerEntry(entry: URL): Promise<URL> {
  let p = bundles.get(entry.href);
  if (!p) {
    p = bundleEntry(entry);
    bundles.set(entry.href, p);
  }
  return p;
}

/** Boot script registering tsx inside the worker (see node-worker-boot.mjs). */
const BOOT_URL = new URL('./node-worker-boot.mjs', import.meta.url);
const MEMORY_POLL_MS = 25;

export function createNodeHost(options: NodeHostOptions): SandboxHost {
  const isTs = /\.(c|m)?ts$/.test(options.workerEntry.pathname);
  const execArgv = [...(options.execArgv ?? [])];
  // Resolved once: where the worker actually starts from.
  let startUrl: URL | undefined = isTs ? undefined : options.workerEntry;
  let startArgv: string[] = [];
  const resolveStart = async (): Promise<void> => {
    if (startUrl) return;
    if ((options.tsEntry ?? 'bundle') === 'bundle') {
      try {
        startUrl = await prepareWorkerEntry(options.workerEntry);
        return;
      } catch {
        /* no esbuild: fall back to tsx */
      }
    }
    startUrl = BOOT_URL;
    startArgv = [options.workerEntry.href];
  };
  const rssLimit = (options.rssLimitMb ?? options.memoryMb * 2 + 256) * 1024 * 1024;

  return createJobHost({
    wallClockMs: options.wallClockMs,
    spare: options.spare ?? true,
    prepare: resolveStart,
    spawn(events): WorkerHandle {
      const t0 = performance.now();
      const worker = new Worker(startUrl!, {
        execArgv,
        argv: startArgv,
        workerData: options.workerData,
        resourceLimits: {
          maxOldGenerationSizeMb: options.memoryMb,
          maxYoungGenerationSizeMb: Math.max(8, Math.min(64, Math.floor(options.memoryMb / 8))),
          ...(options.stackSizeMb ? { stackSizeMb: options.stackSizeMb } : {}),
        },
        stdout: false,
        stderr: false,
      });
      worker.unref();
      let dead = false;
      const { promise: ready, resolve: readyResolve, reject: readyReject } = readyLatch();
      worker.on('message', (msg: WorkerToHost) => {
        if (!msg || typeof msg !== 'object') return;
        if (msg.type === 'sandbox:ready') {
          events.started(performance.now() - t0);
          readyResolve();
          return;
        }
        events.message(msg);
      });
      worker.on('error', (err: Error & { code?: string }) => {
        readyReject(err);
        if (dead) return;
        dead = true;
        events.failed(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crashed', err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? memoryText(options.memoryMb) : crashedText(`${err.name}: ${err.message}`));
      });
      worker.on('exit', (code) => {
        readyReject(new Error(`worker exited with code ${code}`));
        if (dead) return;
        dead = true;
        events.failed('crashed', crashedText(`exit code ${code}`));
      });
      return {
        ready,
        post: (m) => worker.postMessage(m),
        kill() {
          if (dead) return;
          dead = true;
          void worker.terminate().catch(() => {});
        },
      };
    },
    watch(stop) {
      // The worker shares this process: its heap, ArrayBuffers and queued messages all show in the RSS.
      const baseline = process.memoryUsage.rss();
      const timer = setInterval(() => {
        if (process.memoryUsage.rss() - baseline > rssLimit) stop('memory', memoryText(Math.round(rssLimit / 1048576)));
      }, MEMORY_POLL_MS);
      timer.unref?.();
      return () => clearInterval(timer);
    },
  });
}
