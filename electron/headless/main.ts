/** `npm run headless -- [--config FILE]`: binds runHeadless to this process. */
import { startDemoBackend } from '../simulator/demo.js';
import { runHeadless } from './run.js';

const signal = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

runHeadless({
  argv: process.argv.slice(2),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal,
  process,
  startDemo: ({ logLevel }) =>
    startDemoBackend({
      logLevel,
      firstRingAfterMs: Number(process.env.SOFTPHONE_DEMO_FIRST_RING_MS ?? 3000),
      ringEveryMs: Number(process.env.SOFTPHONE_DEMO_RING_EVERY_MS ?? 30_000),
    }),
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`softphone headless: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
