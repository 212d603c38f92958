// One Nest major as the conformance rows use it: its packages, loaded by the package of that major (test/nest10,
// test/nest11, test/nest12) from its own resolution, and the copy of @flagwise/nestjs pnpm injected there.
import { injectedAdapter } from './injected-adapter.js';

/** The modules a major's package loads for the rows. */
export interface NestModules {
  common: object;
  core: object;
  platformExpress: object;
  platformFastify: object;
  /** Nest's testing module builder (`Test.createTestingModule`) of this major */
  testing: object;
  flagwise: object;
  fastifyView: unknown;
  ejs: object;
  loadContexts: () => Promise<object>;
}

/** One Nest major, and the adapter resolved against it. */
export type NestMajorOf<Modules extends NestModules> = Omit<Modules, 'fastifyView'> & {
  /** the @fastify/view plugin of this major's Fastify */
  fastifyView: unknown;
  /** e.g. 12 */
  major: number;
  /** the @nestjs/core version the major's package resolves */
  coreVersion: string;
  /** the @nestjs/core version the injected @flagwise/nestjs copy resolves */
  adapterCoreVersion: string;
  /** where the injected copy lives, and whether its files match packages/nestjs */
  adapter: ReturnType<typeof injectedAdapter>;
};

/**
 * The major whose package `importMetaUrl` belongs to.
 * @example export const nest = nestMajor(import.meta.url, 12, { common, core, ... });
 */
export function nestMajor<Modules extends NestModules>(
  importMetaUrl: string,
  major: number,
  modules: Modules,
): NestMajorOf<Modules> {
  const adapter = injectedAdapter(importMetaUrl);
  const view = modules.fastifyView as { default?: unknown };
  return {
    ...modules,
    // @fastify/view is CommonJS: its plugin is the default export when imported from ESM.
    fastifyView: view.default ?? view,
    major,
    coreVersion: adapter.versionHere('@nestjs/core'),
    adapterCoreVersion: adapter.versionFromAdapter('@nestjs/core'),
    adapter,
  };
}
