/**
 * Node host: runs jobs in a worker_threads Worker (SES lockdown inside), one
 * job at a time, with a hard wall-clock budget and a V8 heap cap. A worker that
 * times out, runs out of memory or crashes is terminated and replaced.
 *
 * TypeScript worker entries (`.ts`) are started through node-worker-boot.mjs,
 * which registers tsx's ESM loader inside the worker (Node 20 ignores `--import`
 * in a worker's execArgv); this works from vitest, from `tsx src/cli/grade.ts`
 * and from plain node.
 */
import { Worker } from 'node:worker_threads';
import {
  ABORTED_MESSAGE,
  crashedMessage,
  memoryMessage,
  timeoutMessage,
  type JobOutcome,
  type RunOptions,
  type SandboxHost,
  type WorkerToHost,
} from './protocol.ts';

export type { JobOutcome, RunOptions, SandboxHost } from './protocol.ts';

export interface NodeHostOptions {
  /** Worker entry module (.ts via tsx, or .js/.mjs). */
  workerEntry: URL;
  /** Hard real-time budget per job (restarted by messages posted with `restartClock`). */
  wallClockMs: number;
  /** V8 old-generation heap cap of the worker (resourceLimits.maxOldGenerationSizeMb). */
  memoryMb: number;
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

interface Active {
  id: number;
  resolve: (o: JobOutcome<unknown>) => void;
  options: RunOptions;
  timer?: ReturnType<typeof setTimeout>;
  memoryPoll?: ReturnType<typeof setInterval>;
  wallClockMs: number;
  lastMessage?: unknown;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  dead: boolean;
}

export function createNodeHost(options: NodeHostOptions): SandboxHost {
  const stats = { workersStarted: 0, lastStartupMs: 0, jobs: 0 };
  let slot: Slot | undefined;
  let active: Active | undefined;
  let nextId = 1;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

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
  let startReady: Promise<void> | undefined;

  function finish(outcome: JobOutcome<unknown>): void {
    const a = active;
    if (!a) return;
    active = undefined;
    if (a.timer) clearTimeout(a.timer);
    if (a.memoryPoll) clearInterval(a.memoryPoll);
    if (a.onAbort) a.options.signal?.removeEventListener('abort', a.onAbort);
    a.resolve(outcome);
  }

  function kill(s: Slot): void {
    if (s.dead) return;
    s.dead = true;
    if (slot === s) slot = undefined;
    void s.worker.terminate().catch(() => {});
  }

  function spawn(): Slot {
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
    stats.workersStarted++;
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    const s: Slot = { worker, dead: false, ready: new Promise<void>((res, rej) => { readyResolve = res; readyReject = rej; }) };
    s.ready.catch(() => {});

    worker.on('message', (msg: WorkerToHost) => {
      if (!msg || typeof msg !== 'object') return;
      if (msg.type === 'sandbox:ready') {
        stats.lastStartupMs = performance.now() - t0;
        readyResolve();
        return;
      }
      const a = active;
      if (!a || a.id !== msg.id) return;
      if (msg.type === 'sandbox:message') {
        a.lastMessage = msg.data;
        if (msg.restartClock) armTimer(a);
        try {
          a.options.onMessage?.(msg.data);
        } catch {
          /* a listener's bug must not break the host */
        }
      } else if (msg.type === 'sandbox:result') {
        finish({ ok: true, result: msg.result });
      } else if (msg.type === 'sandbox:failure') {
        finish({ ok: false, kind: 'crashed', message: crashedMessage(msg.message), lastMessage: a.lastMessage });
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      readyReject(err);
      const a = active;
      kill(s);
      if (a) {
        finish(oom
          ? { ok: false, kind: 'memory', message: memoryMessage(options.memoryMb), lastMessage: a.lastMessage }
          : { ok: false, kind: 'crashed', message: crashedMessage(`${err.name}: ${err.message}`), lastMessage: a.lastMessage });
      }
    });
    worker.on('exit', (code) => {
      readyReject(new Error(`worker exited with code ${code}`));
      const wasDead = s.dead;
      s.dead = true;
      if (slot === s) slot = undefined;
      if (!wasDead && active) {
        finish({ ok: false, kind: 'crashed', message: crashedMessage(`exit code ${code}`), lastMessage: active.lastMessage });
      }
    });
    return s;
  }

  function current(): Slot {
    if (!slot || slot.dead) slot = spawn();
    return slot;
  }

  async function currentReady(): Promise<Slot> {
    startReady ??= resolveStart();
    await startReady;
    return current();
  }

  function armTimer(a: Active): void {
    if (a.timer) clearTimeout(a.timer);
    a.timer = setTimeout(() => {
      if (active !== a) return;
      const s = slot;
      finish({ ok: false, kind: 'timeout', message: timeoutMessage(a.wallClockMs), lastMessage: a.lastMessage });
      if (s) kill(s);
      if (!closed) slot = spawn(); // warm replacement for the next job
    }, a.wallClockMs);
  }

  async function runOne<J, R>(job: J, runOptions: RunOptions): Promise<JobOutcome<R>> {
    if (closed) return { ok: false, kind: 'aborted', message: ABORTED_MESSAGE };
    if (runOptions.signal?.aborted) return { ok: false, kind: 'aborted', message: ABORTED_MESSAGE };
    stats.jobs++;
    let s = await currentReady();
    try {
      await s.ready;
    } catch {
      // The worker died while starting: one retry with a fresh worker.
      s = current();
      try {
        await s.ready;
      } catch (err) {
        return { ok: false, kind: 'crashed', message: crashedMessage(`worker failed to start: ${(err as Error).message}`) };
      }
    }
    return new Promise<JobOutcome<R>>((resolve) => {
      const a: Active = {
        id: nextId++,
        resolve: resolve as (o: JobOutcome<unknown>) => void,
        options: runOptions,
        wallClockMs: runOptions.wallClockMs ?? options.wallClockMs,
      };
      active = a;
      if (runOptions.signal) {
        a.onAbort = () => {
          if (active !== a) return;
          finish({ ok: false, kind: 'aborted', message: ABORTED_MESSAGE, lastMessage: a.lastMessage });
          kill(s);
        };
        runOptions.signal.addEventListener('abort', a.onAbort, { once: true });
      }
      armTimer(a);
      // ArrayBuffer memory is outside the V8 heap (resourceLimits do not see it):
      // watch the process's arrayBuffers while the job runs.
      const baseline = process.memoryUsage().arrayBuffers;
      const cap = options.memoryMb * 1024 * 1024;
      a.memoryPoll = setInterval(() => {
        if (active !== a) return;
        if (process.memoryUsage().arrayBuffers - baseline > cap) {
          finish({ ok: false, kind: 'memory', message: memoryMessage(options.memoryMb), lastMessage: a.lastMessage });
          kill(s);
          if (!closed) slot = spawn();
        }
      }, MEMORY_POLL_MS);
      a.memoryPoll.unref?.();
      try {
        s.worker.postMessage({ type: 'sandbox:job', id: a.id, job });
      } catch (err) {
        finish({ ok: false, kind: 'crashed', message: crashedMessage(`job could not be sent: ${(err as Error).message}`) });
      }
    });
  }

  return {
    stats,
    run<J, R>(job: J, runOptions: RunOptions = {}): Promise<JobOutcome<R>> {
      const p = queue.then(() => runOne<J, R>(job, runOptions));
      queue = p.catch(() => {});
      return p;
    },
    async warmUp(): Promise<void> {
      await (await currentReady()).ready;
    },
    async close(): Promise<void> {
      closed = true;
      if (active) finish({ ok: false, kind: 'aborted', message: ABORTED_MESSAGE, lastMessage: active.lastMessage });
      const s = slot;
      slot = undefined;
      if (s && !s.dead) {
        s.dead = true;
        await s.worker.terminate().catch(() => {});
      }
    },
  };
}
