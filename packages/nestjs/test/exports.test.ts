// The published surface: a change to what @flagwise/nestjs exports shows up here and in review.
import { expect, it } from 'vitest';
import * as nestjs from '../src/index.js';

it('exports the Nest API and the core names a Nest app needs', () => {
  expect(Object.keys(nestjs).sort()).toEqual([
    'ConfigurationError',
    'FEATURE_FLAGS_CLIENT',
    'FEATURE_FLAGS_OPTIONS',
    'FeatureFlagsGuard',
    'FeatureFlagsModule',
    'FeatureFlagsService',
    'FeatureFlagsTestingModule',
    'FeatureRequired',
    'Flags',
    'FlagsClient',
    'FlagsDashboardModule',
    'FlagsEndpointModule',
    'FlagsFrontendApiModule',
    'FlagsOfrepModule',
    'FlagwiseError',
    'VariantRequired',
    'consoleLogger',
    'createFlags',
    'defaultFileSource',
    'fileSource',
    'flagsJson',
    'handlebarsHelpers',
    'inlineSource',
    'memorySource',
  ]);
});
