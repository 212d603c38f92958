// The Nest demo's flags, both paths each, on Nest 10, 11 and 12 with FeatureFlagsTestingModule and Nest's testing
// app. The demo's own source files run against each major: they are copied, unchanged, next to that major's
// packages (test/nest10, 11, 12), so `@nestjs/common` and `@flagwise/nestjs` resolve to that major's, as
// they would in an app on it.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { checkMajor, majors } from '../conformance/rows/nest.js';
import type { NestMajor } from '../nest11/src/index.js';
import { describeExampleFlags, supertestGet } from './example-flags.js';

const exampleDir = fileURLToPath(new URL('../../examples/nestjs', import.meta.url));
const DEMO_FILES = ['demo.controller.ts', 'demo-login.guard.ts'];

/** Copies the demo's controller and guard next to `nest`'s packages and loads them from there. */
async function demoFor(nest: NestMajor): Promise<{ DemoController: new (...args: never[]) => unknown }> {
  // Inside node_modules: out of git, the linter and the typecheck; resolved against test/nest<major>.
  const dir = fileURLToPath(
    new URL(`../nest${nest.major}/node_modules/.flagwise-example-nestjs/`, import.meta.url),
  );
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(path.join(exampleDir, 'src'))) {
    if (DEMO_FILES.includes(file)) copyFileSync(path.join(exampleDir, 'src', file), path.join(dir, file));
  }
  const resolved = createRequire(path.join(dir, 'package.json'))('@nestjs/common/package.json').version;
  if (resolved.split('.')[0] !== String(nest.major)) {
    throw new Error(`the demo's copy for Nest ${nest.major} resolves @nestjs/common ${resolved}`);
  }
  return import(path.join(dir, 'demo.controller.ts'));
}

for (const nest of majors) {
  checkMajor(nest);
  const { DemoController } = await demoFor(nest);
  describeExampleFlags(`examples/nestjs on Nest ${nest.major}`, 'nestjs', async (flags) => {
    const moduleRef = await nest.testing.Test.createTestingModule({
      imports: [nest.flagwise.FeatureFlagsTestingModule.withFlags(flags)],
      controllers: [DemoController],
    }).compile();
    expect(moduleRef.get(nest.flagwise.FeatureFlagsService).client).toBe(flags);
    const app = moduleRef.createNestApplication<import('../nest11/src/index.js').NestExpressApplication>(
      new nest.platformExpress.ExpressAdapter(),
      { logger: false },
    );
    // As main.ts does: pnpm's strict layout keeps Express from finding ejs itself.
    app.engine('ejs', nest.ejs.renderFile);
    app.setViewEngine('ejs');
    app.setBaseViewsDir(path.join(exampleDir, 'views'));
    await app.init();
    return { get: supertestGet(app.getHttpServer()), close: () => app.close() };
  });
}
