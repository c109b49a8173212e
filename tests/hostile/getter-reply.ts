// expect: error
// message: getter/setter is not JSON
// A reply with a getter: the kernel ran it while copying (learner code inside
// the kernel's copy), and a getter on a value the judge reads would run there.
// Now a getter is refused at the call site and never runs.
export function service(ctx: any) {
  ctx.handle('ping', () => ({
    get secret() {
      return 'ESCAPED: the kernel ran our getter';
    },
  }));
}
