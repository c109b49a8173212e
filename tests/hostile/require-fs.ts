// expect: error
// message: Modules are not available|Модули недоступны
// line: 6
declare const require: any;
export function service(ctx: any) {
  const fs = require('fs');
  ctx.handle('ping', () => fs.readFileSync('/etc/passwd', 'utf8'));
}
