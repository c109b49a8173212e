// Boot script of Node sandbox workers whose entry is TypeScript: registers the
// tsx loader in this worker thread (Node 20 ignores `--import` in a worker's
// execArgv), then imports the real entry passed as the last argv element.
// Plain JS entries are started directly, without this script.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[process.argv.length - 1]);
