import type { SandboxHost } from '../sandbox/protocol.ts';

/** Creates the sandbox's browser host for the grading worker. */
export async function createAppSandboxHost(): Promise<SandboxHost> {
  const candidates = import.meta.glob<{ createBrowserHost?: (options: unknown) => SandboxHost }>('../sandbox/host-browser.ts');
  const load = candidates['../sandbox/host-browser.ts'];
  if (!load) throw new Error('the sandbox browser host (src/sandbox/host-browser.ts) is not part of this build');
  const mod = await load();
  if (!mod.createBrowserHost) throw new Error('src/sandbox/host-browser.ts has no createBrowserHost');
  throw new Error('browser host wiring pending');
}
