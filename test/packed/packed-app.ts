// The scratch app global-setup.ts installed the tarballs into, handed to the test files by vitest's
// provide/inject.
import { inject } from 'vitest';
import type { PackedApp } from './workspace.js';

declare module 'vitest' {
  export interface ProvidedContext {
    packedApp: PackedApp;
  }
}

export function packedApp(): PackedApp {
  return inject('packedApp');
}
