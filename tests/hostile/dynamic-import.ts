// expect: compile-error
// message: import\(\)
// line: 5
export async function service(ctx: any) {
  const fs = await import('node:fs');
  ctx.handle('ping', () => fs.readFileSync('/etc/passwd', 'utf8'));
}
