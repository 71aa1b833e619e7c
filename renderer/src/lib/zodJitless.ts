/**
 * Must be the first import of a page that uses the contract's zod schemas.
 *
 * The renderer's CSP has no 'unsafe-eval'. zod compiles object parsers with `new Function`
 * when it can, and decides so — probing with a caught `new Function("")` that a strict CSP
 * still reports as a violation — when each schema is constructed, i.e. when
 * electron/contract.ts is first evaluated. Switching zod to jitless before that keeps the page
 * free of eval attempts; validation is the same, only interpreted.
 */
import { config } from 'zod';

config({ jitless: true });
