// The files of @unleash/client-specification that carry `state.features`, read through the package's own
// specifications/index.json: one loader for every suite that runs the specification.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ClientFeaturesPayload, FlagContext, VariantResult } from '@flagwise/core';

export interface SpecTest {
  description: string;
  context: FlagContext;
  toggleName: string;
  expectedResult: boolean | VariantResult;
}

export interface SpecFile {
  name: string;
  state: Partial<ClientFeaturesPayload>;
  tests?: SpecTest[];
  variantTests?: SpecTest[];
}

const require = createRequire(import.meta.url);
const specDir = path.dirname(require.resolve('@unleash/client-specification/specifications/index.json'));

export const specFiles: SpecFile[] = (
  JSON.parse(readFileSync(path.join(specDir, 'index.json'), 'utf8')) as string[]
)
  .map((file) => JSON.parse(readFileSync(path.join(specDir, file), 'utf8')) as SpecFile)
  .filter((spec) => Array.isArray(spec.state?.features));
