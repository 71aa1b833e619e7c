/**
 * Headless mode: the engine without Electron, speaking NDJSON (see protocol.ts).
 * `runHeadless` takes its streams and environment as arguments so tests can run it in-process;
 * main.ts binds it to the real process.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { DemoBackend } from '../app/app.js';
import { DEFAULT_SETTINGS, settingsSchema, type AccountConfig, type Settings } from '../core/config.js';
import { ClockJumpWatchdog } from '../core/clockWatchdog.js';
import { systemClock, type SecretStore } from '../core/deps.js';
import { Engine, EngineError } from '../core/engine.js';
import { createLogger, type LogLevel } from '../core/log.js';
import { withTargetLabel } from '../core/forwardTargets.js';
import { installProcessGuards, type GuardedProcess } from '../core/processGuards.js';
import { createProvider } from '../core/providers.js';
import { jsonFile, jsonKeyValueStore } from '../core/storage/jsonFile.js';
import { ConfigError, configSecrets, loadConfigFile } from './config.js';
import { nodeFetchFor } from './nodeFetch.js';
import { parseCommand, toHeadlessEvent, type Command, type HeadlessEvent } from './protocol.js';

export interface HeadlessIO {
  argv: string[];
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Starts the embedded simulator for demo mode (no --config). */
  startDemo(opts: { logLevel: LogLevel }): Promise<DemoBackend>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  signal?: Promise<void>;
  /** The real process: unhandled rejections and uncaught exceptions are logged, not fatal. */
  process?: GuardedProcess;
}

export const USAGE = `usage: npm run headless -- [--config FILE] [--data-dir DIR] [--log-level debug|info|warn|error]

Runs the softphone engine without Electron. Without --config it runs against the embedded
simulator (demo mode). stdout: one JSON event per line; stdin: one JSON command per line.`;

interface Args {
  config?: string;
  dataDir?: string;
  logLevel: LogLevel;
  help: boolean;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { logLevel: 'info', help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new ConfigError(`${a} needs a value`);
      return v;
    };
    if (a === '--config') args.config = value();
    else if (a === '--data-dir') args.dataDir = value();
    else if (a === '--log-level') {
      const v = value();
      if (!['debug', 'info', 'warn', 'error'].includes(v))
        throw new ConfigError(`--log-level must be debug, info, warn or error (got "${v}")`);
      args.logLevel = v as LogLevel;
    } else if (a === '--help' || a === '-h') args.help = true;
    else throw new ConfigError(`unknown argument "${a}"\n${USAGE}`);
  }
  return args;
}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'softphone-headless');
}

/** Runs until quit, end of input or a signal; returns the exit code. */
export async function runHeadless(io: HeadlessIO): Promise<number> {
  const print = (e: HeadlessEvent) => io.stdout.write(JSON.stringify(e) + '\n');
  let args: Args;
  let accounts: AccountConfig[];
  let secrets: SecretStore;
  let settings: Settings = DEFAULT_SETTINGS;
  try {
    args = parseArgs(io.argv);
    if (args.help) {
      io.stderr.write(USAGE + '\n');
      return 0;
    }
    if (args.config) {
      const config = loadConfigFile(args.config, io.env);
      accounts = config.accounts;
      secrets = configSecrets(config, io.env);
      settings = settingsSchema.parse({ ...config.settings });
    } else {
      accounts = [];
      secrets = { get: async () => undefined };
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`softphone headless: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const logger = createLogger((line) => io.stderr.write(line + '\n'), { level: args.logLevel, scope: 'headless' });
  const removeGuards = io.process ? installProcessGuards(io.process, logger) : () => {};
  let demo: DemoBackend | null = null;
  if (accounts.length === 0) {
    logger.info(
      args.config
        ? 'the config has no accounts: running the demo simulator'
        : 'no --config: running the demo simulator',
    );
    demo = await io.startDemo({ logLevel: args.logLevel });
    accounts = demo.accounts;
    const demoSecrets = demo.secrets;
    secrets = { get: async (name) => demoSecrets[name] };
  }

  const engine = new Engine({ clock: systemClock, logger });
  engine.on((e) => {
    const out = toHeadlessEvent(e);
    if (out) print(out);
  });
  const store = jsonKeyValueStore(jsonFile(join(args.dataDir ?? defaultDataDir(io.env), 'endpoints.json'), { logger }));
  for (const account of accounts) {
    await engine.addAccount(
      createProvider(account, {
        clock: systemClock,
        logger,
        store,
        secrets,
        fetchFor: nodeFetchFor,
        settings: () => settings,
      }),
    );
  }
  print({ type: 'ready', demo: demo !== null, accounts: accounts.map((a) => a.id) });
  demo?.startAutoRing();
  const watchdog = startWatchdog(io.env, engine, logger);

  const inFlight = new Set<Promise<void>>();
  const execute = async (command: Command): Promise<void> => {
    try {
      switch (command.cmd) {
        case 'decline':
          await engine.decline(command.id, command.reason);
          break;
        case 'declineAll':
          await engine.declineAll(command.reason);
          break;
        case 'forward': {
          const accountId = engine.snapshot().ringing.find((r) => r.invitation.id === command.id)?.invitation.accountId;
          await engine.forward(command.id, withTargetLabel(accounts, accountId, command.target));
          break;
        }
        case 'dnd':
          engine.setDnd(command.on, command.until !== undefined ? Date.parse(command.until) : null);
          break;
        case 'reply':
          // ended, then replySent / replyFailed come as engine events
          await engine.reply(command.id, command.text);
          break;
        case 'forwarding':
          // the confirmed state comes as a `forwarding` event, a refusal as `forwardingFailed`
          await engine.setForwarding(command.accountId, command.to);
          break;
        case 'retry':
          // the outcome comes as `account` events (connecting, then connected or error)
          engine.retryAccount(command.accountId);
          break;
        case 'quit':
          break;
      }
    } catch (err) {
      if (err instanceof EngineError) print({ type: 'error', code: err.code, cmd: command.cmd, message: err.message });
      else {
        logger.error('command failed', { cmd: command.cmd, err });
        print({ type: 'error', code: 'Failed', cmd: command.cmd, message: String((err as Error)?.message ?? err) });
      }
    }
  };

  await new Promise<void>((resolve) => {
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (!line.trim()) return;
      const parsed = parseCommand(line);
      if (!parsed.ok) {
        print(parsed.error);
        return;
      }
      if (parsed.command.cmd === 'quit') {
        lines.close();
        return;
      }
      const p = execute(parsed.command).finally(() => inFlight.delete(p));
      inFlight.add(p);
    });
    lines.once('close', () => resolve());
    void io.signal?.then(() => lines.close());
  });

  logger.info('shutting down');
  watchdog.stop();
  await Promise.all(inFlight);
  await engine.stop();
  await demo?.close();
  removeGuards();
  return 0;
}

/**
 * Plain Node has no powerMonitor: a clock jump says the machine slept (or the process was
 * stopped) and every account re-listens at once. SOFTPHONE_WATCHDOG_INTERVAL_MS and
 * SOFTPHONE_WATCHDOG_TOLERANCE_MS tune it (tests).
 */
function startWatchdog(env: NodeJS.ProcessEnv, engine: Engine, logger: ReturnType<typeof createLogger>) {
  const num = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const v = Number(raw);
    if (Number.isFinite(v) && v > 0) return v;
    logger.warn(`ignored ${name}: not a positive number of milliseconds`, { value: raw });
    return undefined;
  };
  const watchdog = new ClockJumpWatchdog({
    clock: systemClock,
    intervalMs: num('SOFTPHONE_WATCHDOG_INTERVAL_MS'),
    toleranceMs: num('SOFTPHONE_WATCHDOG_TOLERANCE_MS'),
    onJump: () => engine.wake('clockJump'),
    logger,
  });
  watchdog.start();
  return watchdog;
}
