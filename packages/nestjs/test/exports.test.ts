// The published surface: a change to what @flagwise/nestjs exports shows up here and in review.
import { expect, it } from 'vitest';
import { valueNames, withAppValues } from '../../../test/support/exports.js';
import * as nestjs from '../src/index.js';

it('exports the Nest API and the core names a Nest app needs', () => {
  expect(valueNames(nestjs)).toEqual(
    withAppValues([
      'FEATURE_FLAGS_CLIENT',
      'FEATURE_FLAGS_OPTIONS',
      'FeatureFlagsGuard',
      'FeatureFlagsModule',
      'FeatureFlagsService',
      'FeatureFlagsTestingModule',
      'FeatureRequired',
      'Flags',
      'FlagsDashboardModule',
      'FlagsEndpointModule',
      'FlagsFrontendApiModule',
      'FlagsOfrepModule',
      'VariantRequired',
    ]),
  );
});
