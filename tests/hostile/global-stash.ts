// expect: error
// message: not extensible|read.only|Cannot (add|define|assign)
// Tries to carry state from one module instance (service incarnation, run) to
// the next through the shared global object, which the sandbox freezes.
(globalThis as any).carried = ((globalThis as any).carried ?? 0) + 1;

export function service(ctx: any) {
  ctx.handle('ping', () => ({ carried: (globalThis as any).carried }));
}
