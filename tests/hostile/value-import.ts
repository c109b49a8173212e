// expect: compile-error
// message: Value import
// line: 4
import { readFileSync } from 'node:fs';
export function service(ctx: any) {
  ctx.handle('ping', () => readFileSync('/etc/passwd', 'utf8'));
}
