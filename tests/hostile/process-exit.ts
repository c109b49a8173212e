// expect: error
// message: process is not defined|reading 'exit'
export function service(ctx: any) {
  ctx.handle('ping', () => {
    process.exit(1);
  });
}
