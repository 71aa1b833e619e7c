import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** `npm run headless` as a child process, with its NDJSON stdout as awaitable events. */
export class HeadlessChild {
  readonly events: Record<string, unknown>[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly proc: ChildProcessWithoutNullStreams;
  private waiters: { pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] =
    [];

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', 'electron/headless/main.ts', ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        e = { type: '__not_json__', line };
      }
      this.events.push(e);
      for (const w of [...this.waiters]) {
        if (w.pred(e)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
  }

  /** The first event (already seen or future) matching `pred`. */
  next(pred: (e: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `headless: no matching event within ${timeoutMs} ms; events: ${JSON.stringify(this.events)}\nstderr:\n${this.stderr}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  send(command: unknown): void {
    this.proc.stdin.write((typeof command === 'string' ? command : JSON.stringify(command)) + '\n');
  }

  endInput(): void {
    this.proc.stdin.end();
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }

  /** Sends a signal (SIGSTOP freezes the process as a sleeping laptop would; SIGCONT resumes it). */
  signal(sig: NodeJS.Signals): void {
    this.proc.kill(sig);
  }
}

export const ofType = (type: string) => (e: Record<string, unknown>) => e.type === type;

/** The UCWA account headless tests sign in with: the simulator's demo user, password from env. */
export const ucwaTestAccount = (discoveryUrl: string, over: Record<string, unknown> = {}) => ({
  id: 'work',
  provider: 'ucwa',
  sipAddress: 'demo@softphone.test',
  username: 'demo@softphone.test',
  passwordEnv: 'SFB_TEST_PASSWORD',
  discoveryUrl,
  ...over,
});

/** `npm run headless` over `accounts`, written as its config file into a fresh data dir. */
export function startHeadless(accounts: unknown[], env: NodeJS.ProcessEnv, extraArgs: string[] = []): HeadlessChild {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-headless-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ accounts }));
  return new HeadlessChild(['--config', file, '--data-dir', dir, ...extraArgs], env);
}
