// The suites the canary runs in its scratch copy, each through the repository's own script or path filter (so
// rows, files and checks added to a suite are run without a change here), and which peers each one exercises.

export interface Suite {
  name: string;
  /** what it runs, in the words of the table */
  what: string;
  /** `pnpm` arguments run first (the build the suite needs) */
  before?: string[];
  /** `pnpm` arguments that run the suite; vitest's JSON reporter is added to them */
  run: string[];
  /** does the suite exercise this peer? */
  exercises(peer: string): boolean;
}

const frameworks = /^(express|fastify|koa|@koa\/router|@nestjs\/.*)$/;

/** The suites in the order they run. `published` holds the peers the published packages declare or depend on. */
export function suites(published: Set<string>): Suite[] {
  return [
    {
      name: 'conformance',
      what: 'the conformance table: every scenario on every framework row (`pnpm test:conformance`)',
      run: ['run', 'test:conformance'],
      exercises: (peer) =>
        frameworks.test(peer) ||
        ['@openfeature/server-sdk', '@openfeature/ofrep-provider', 'unleash-proxy-client'].includes(peer),
    },
    {
      name: 'packages',
      what: "each package's own tests, the test runners' apps among them (`vitest run packages/`)",
      run: ['exec', 'vitest', 'run', 'packages/'],
      exercises: (peer) =>
        frameworks.test(peer) ||
        /^@openfeature\/(server-sdk|core|nestjs-sdk)$/.test(peer) ||
        ['unleash-client', 'vitest'].includes(peer),
    },
    {
      name: 'packed',
      what: 'the packed tarballs installed with npm, imported from ESM and CJS and type-checked (`pnpm test:packed`)',
      before: ['run', 'build'],
      run: ['run', 'test:packed'],
      exercises: (peer) => published.has(peer) || peer === 'typescript',
    },
    {
      name: 'integration',
      what: 'against real Unleash servers on PostgreSQL (`pnpm test:integration`)',
      run: ['run', 'test:integration'],
      exercises: (peer) => peer === 'unleash-server' || peer === 'unleash-client',
    },
    {
      name: 'browser',
      what: 'OpenFeature web SDKs and the examples in Chromium (`pnpm test:browser`)',
      run: ['run', 'test:browser'],
      exercises: (peer) => /^@openfeature\/(web-sdk|ofrep-web-provider|ofrep-core)$/.test(peer),
    },
  ];
}

/** Which failing tests (`file > full name`) point at a peer: its rows, its files, its name. */
export function namesPeer(peer: string, test: string): boolean {
  const patterns: [RegExp, RegExp][] = [
    [/^express$/, /express \d|\/express[./-]/i],
    [/^fastify$/, /fastify \d|\/fastify[./-]/i],
    [/^(koa|@koa\/router)$/, /koa \d|\/koa[./-]|router/i],
    [/^@nestjs\//, /nest/i],
    [/^@openfeature\//, /openfeature|ofrep/i],
    [/^unleash-proxy-client$/, /frontend-api|proxy/i],
    [/^unleash-(client|server)$/, /unleash|integration\//i],
    [/^typescript$/, /typescript|type-?check|\btsc\b|declaration|\.d\.c?ts/i],
    [/^vitest$/, /vitest/i],
  ];
  return patterns.some(([name, names]) => name.test(peer) && names.test(test));
}
