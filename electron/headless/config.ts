/**
 * Loads and checks the headless config file. Every problem is a `ConfigError` whose message
 * names the field (`accounts[0].sipAddress: must look like user@domain`); main exits 2 on it.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { configFileSchema, formatZodError, type ConfigFile } from '../core/config.js';
import type { SecretStore } from '../core/deps.js';
import { secretName } from '../core/providers.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = configFileSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(`config file ${path}:\n${formatZodError(parsed.error)}`);
  const config = parsed.data;
  config.accounts.forEach((a, i) => {
    const at = `accounts[${i}]`;
    const envName = a.provider === 'ucwa' ? a.passwordEnv : a.clientSecretEnv;
    const inline = a.provider === 'ucwa' ? a.password : a.clientSecret;
    if (!inline && envName && !env[envName]) {
      const field = a.provider === 'ucwa' ? 'passwordEnv' : 'clientSecretEnv';
      throw new ConfigError(`config file ${path}:\n${at}.${field}: environment variable ${envName} is not set`);
    }
    const files: [string, string | undefined][] = [['caFile', a.caFile]];
    if (a.provider === 'graph' && a.certificate) {
      files.push(['certificate.certFile', a.certificate.certFile], ['certificate.keyFile', a.certificate.keyFile]);
    }
    for (const [field, file] of files) {
      if (!file) continue;
      try {
        accessSync(file, constants.R_OK);
      } catch {
        throw new ConfigError(`config file ${path}:\n${at}.${field}: cannot read ${file}`);
      }
    }
  });
  return config;
}

/** Secrets as the config file gives them: inline, or from the named environment variable. */
export function configSecrets(config: ConfigFile, env: NodeJS.ProcessEnv = process.env): SecretStore {
  const byName = new Map<string, string>();
  for (const a of config.accounts) {
    const value =
      a.provider === 'ucwa'
        ? (a.password ?? (a.passwordEnv ? env[a.passwordEnv] : undefined))
        : (a.clientSecret ?? (a.clientSecretEnv ? env[a.clientSecretEnv] : undefined));
    if (value) byName.set(secretName(a), value);
  }
  return { get: async (name) => byName.get(name) };
}
