import type { SecretVault } from '../../electron/app/app.js';

/** The desktop's secret vault without the OS keychain: a Map the test can look into. */
export class MemoryVault implements SecretVault {
  readonly values = new Map<string, string>();

  get(name: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(name));
  }

  set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
    return Promise.resolve();
  }

  delete(name: string): Promise<void> {
    this.values.delete(name);
    return Promise.resolve();
  }
}
