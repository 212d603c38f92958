// The published surface of @flagwise/core, entry by entry: a change to any list is a change for users (the app
// entries) or for adapter authors (./adapter), made on purpose. Values are read from the modules themselves;
// types from the compiler's view of the same entries.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { APP_VALUES, valueNames } from '../../../test/support/exports.js';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const ENTRIES = { '.': 'index.ts', './app': 'app.ts', './adapter': 'adapter/index.ts' } as const;

const EXPORTS: Record<keyof typeof ENTRIES, { values: string[]; types: string[] }> = {
  '.': {
    values: [
      'ConfigurationError',
      'DEFAULT_FLAGS_FILES',
      'FlagDefinitionError',
      'FlagsClient',
      'FlagsFileError',
      'FlagwiseError',
      'applyOverrideQuery',
      'compileFlags',
      'compileFlagsFile',
      'consoleLogger',
      'createDashboard',
      'createFlags',
      'createOverrideSigner',
      'defaultFileSource',
      'fileSource',
      'flagsJson',
      'frontendApiEndpoint',
      'handlebarsHelpers',
      'inlineSource',
      'isSingleValueOperator',
      'memorySource',
      'ofrepEndpoint',
      'parseFlagsFile',
      'silentLogger',
      'toPropertyName',
      'traceFlag',
      'traceLines',
    ],
    types: [
      'AdapterOptions',
      'BrowserFlag',
      'ClientContextTrust',
      'ClientFeaturesPayload',
      'CompileOptions',
      'CompiledFlags',
      'ConditionOperators',
      'ConditionSpec',
      'ConditionValue',
      'ConstraintDefinition',
      'ConstraintOperator',
      'ConstraintTrace',
      'ContextHook',
      'CustomStrategy',
      'DashboardFlag',
      'DashboardOptions',
      'DashboardState',
      'DependencyDefinition',
      'DependencySpec',
      'DependencyTrace',
      'Endpoint',
      'EndpointRequest',
      'EndpointResponse',
      'EvaluationReason',
      'EvaluationReasons',
      'EventStreamOptions',
      'Explanation',
      'FeatureDefinition',
      'FeatureTag',
      'FieldChange',
      'FileSourceOptions',
      'FlagChange',
      'FlagContext',
      'FlagHandle',
      'FlagName',
      'FlagOverrides',
      'FlagRegistry',
      'FlagSource',
      'FlagSpec',
      'FlagTrace',
      'FlagsChange',
      'FlagsDocumentFormat',
      'FlagsEvents',
      'FlagsFileProblem',
      'FlagsFileSpec',
      'FlagsInput',
      'FlagsOptions',
      'FlagwiseErrorCode',
      'FlagwiseErrorCodes',
      'FrontendApiCors',
      'FrontendApiExpose',
      'FrontendApiOptions',
      'FrontendApiToggle',
      'ImpactLabels',
      'ImpactMetrics',
      'ImpressionEvent',
      'Logger',
      'MemoryFlagValue',
      'MemorySource',
      'OfrepEndpointOptions',
      'OverrideOptions',
      'OverrideSigner',
      'ParseFlagsFileOptions',
      'ParsedFlagsFile',
      'Payload',
      'PayloadSpec',
      'PayloadType',
      'RecentChange',
      'RequestFlags',
      'RequiresSpec',
      'RolloutTrace',
      'RuleSpec',
      'SegmentDefinition',
      'SegmentTrace',
      'SourceEvent',
      'SourceListener',
      'SourceStartContext',
      'SourceStatus',
      'StrategyDefinition',
      'StrategyShorthand',
      'StrategyTrace',
      'TelemetryOptions',
      'TraceLine',
      'TraceOptions',
      'VariantDefinition',
      'VariantOverride',
      'VariantResult',
      'VariantSpec',
      'VariantsSpec',
      'VerifyResult',
      'VisitorIdOptions',
      'WhenSpec',
    ],
  },
  './app': {
    values: [...APP_VALUES],
    types: [
      'ClientFeaturesPayload',
      'ContextHook',
      'Explanation',
      'FeatureDefinition',
      'FlagContext',
      'FlagName',
      'FlagRegistry',
      'FlagSource',
      'FlagsOptions',
      'Logger',
      'MemorySource',
      'OverrideOptions',
      'RequestFlags',
      'VariantResult',
      'VisitorIdOptions',
    ],
  },
  './adapter': {
    values: [
      'DEFAULT_READY_TIMEOUT_MS',
      'EndpointShutdown',
      'FLAGS_OPTION_KEYS',
      'OptionalFields',
      'SETTLE',
      'checkGuard',
      'checkGuardOptions',
      'checkKnownKeys',
      'clientOf',
      'closest',
      'describeArgument',
      'endpointStream',
      'flagAllows',
      'flagsReadiness',
      'flagsMissingError',
      'guardWithoutFlagsError',
      'headerText',
      'isBoolean',
      'isClient',
      'isFunction',
      'isMilliseconds',
      'isPromiseLike',
      'mayServe',
      'mountPathOf',
      'normalizePrefix',
      'oneOf',
      'recordWhenFinished',
      'requestFlags',
      'requestFlagsLater',
      'requestOutcomes',
      'resolveExplanation',
      'routeRequests',
      'serveEndpoint',
      'setUpAdapter',
      'settleRequestFlags',
      'templateView',
      'toFlagContext',
      'trackConversion',
      'trustsProxy',
      'untracedEvaluation',
      'urlBelow',
      'urlFromWildcard',
      'watchGuardedFlags',
      'writeEndpointResponse',
    ],
    types: [
      'AdapterDefinition',
      'AdapterOptions',
      'AdapterSetup',
      'CheckedGuard',
      'Endpoint',
      'EndpointRequest',
      'EndpointResponse',
      'GuardDeclaration',
      'OfrepEndpointOptions',
      'OptionCheck',
      'RequestFacts',
      'RequestFlagsResult',
      'RequestInput',
      'RequestOutcomes',
      'RequestReader',
      'Resolution',
      'ResolutionErrorCode',
      'ResolutionReason',
      'ResolvedOverrides',
      'ValueType',
      'VisitorIds',
    ],
  },
};

let compiled: Record<string, string[]> | undefined;

/** Every name each entry exports, as a TypeScript consumer sees it (one program for the three entries). */
function compilerExports(): Record<string, string[]> {
  if (compiled !== undefined) return compiled;
  const files = Object.values(ENTRIES).map((file) => path.join(src, file));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const result: Record<string, string[]> = {};
  for (const [entry, file] of Object.entries(ENTRIES)) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(path.join(src, file))!)!;
    result[entry] = checker
      .getExportsOfModule(module)
      .map((symbol) => symbol.name)
      .sort();
  }
  compiled = result;
  return result;
}

const entries = Object.entries(ENTRIES).map(([entry, file]) => ({
  name: `@flagwise/core${entry.slice(1)}`,
  entry: entry as keyof typeof ENTRIES,
  file,
}));

describe.each(entries)('$name', ({ entry, file }) => {
  const expected = EXPORTS[entry];

  it('exports these values, and no others', async () => {
    const module = await import(path.join(src, file));
    expect(valueNames(module)).toEqual([...expected.values].sort());
  });

  it('exports these types, and no others', () => {
    const names = compilerExports()[entry];
    expect(names.filter((name) => !expected.values.includes(name))).toEqual([...expected.types].sort());
  });
});
