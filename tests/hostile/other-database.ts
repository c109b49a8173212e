// expect: ownership-violation
// Reads another service's database: allowed by the kernel, traced as a violation.
export function service(ctx: any) {
  ctx.handle('ping', () => ctx.database('other').get('secrets', 's1'));
}
