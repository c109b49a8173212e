// expect: error
// message: line 7|строке 7
import type { ServiceContext } from './api';
export function service(ctx: ServiceContext) {
  ctx.handle('ping', () => {
    let i = 0;
    for (;;) {
      i = (i + 1) % 10;
    }
  });
}
