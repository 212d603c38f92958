// A FlagTrace as lines of text: the answer, then each strategy, constraint, rollout, segment and dependency.
import type { ConstraintTrace, FlagTrace, RolloutTrace, StrategyTrace } from '@flagwise/core';
import pc from 'picocolors';
import { mapStrings, shownText } from './terminal-text.js';

const mark = (held: boolean) => (held ? pc.green('✓') : pc.red('✗'));

/**
 * The trace as indented lines, the answer first.
 * @example
 * print(...renderTrace(traceFlag(flags, 'new-pricing', { userId: 'alice' })));
 */
export function renderTrace(outside: FlagTrace): string[] {
  // names, values and payloads come from the definitions: from a server, or a file someone else wrote
  const trace = mapStrings(outside, shownText);
  const state = trace.enabled ? pc.green('on') : pc.red('off');
  const lines = [`${pc.bold(trace.flag)}: ${state} (${trace.reason})`];
  if (trace.detail) lines.push(`  ${trace.detail}`);
  if (trace.variant.enabled) {
    const payload = trace.variant.payload
      ? `, payload (${trace.variant.payload.type}) ${trace.variant.payload.value}`
      : '';
    lines.push(`  variant: ${trace.variant.name}${payload}`);
  }
  if (!trace.flagEnabled && trace.reason !== 'not-found')
    lines.push('  the flag is switched off: strategies below do not apply');
  for (const dependency of trace.dependencies) {
    const wanted =
      dependency.expects === 'variant'
        ? `on with variant ${dependency.variants.join(' or ')}`
        : dependency.expects === 'enabled'
          ? 'on'
          : 'off';
    const actual = dependency.defined
      ? `it is ${dependency.parentEnabled ? 'on' : 'off'}${dependency.parentVariant !== 'disabled' ? `, variant ${dependency.parentVariant}` : ''}`
      : 'it is not defined';
    lines.push(`  ${mark(dependency.held)} requires "${dependency.feature}" ${wanted}: ${actual}`);
  }
  for (const strategy of trace.strategies) lines.push(...renderStrategy(strategy, trace.strategyIndex));
  return lines;
}

function renderStrategy(strategy: StrategyTrace, decided: number | undefined): string[] {
  const title = strategy.title ? ` "${strategy.title}"` : '';
  const verdict = strategy.matched ? pc.green('matched') : pc.red('did not match');
  const decisive = decided === strategy.index ? ' ← decided' : '';
  const lines = [
    `  ${mark(strategy.matched)} strategy #${strategy.index + 1} ${strategy.name}${title}: ${verdict}${decisive}`,
  ];
  if (!strategy.known) lines.push('      unknown strategy: it never matches (register it in the app)');
  for (const constraint of strategy.constraints) lines.push(`      ${renderConstraint(constraint)}`);
  for (const segment of strategy.segments) {
    const name = segment.name ? ` "${segment.name}"` : '';
    lines.push(
      `      ${mark(segment.held)} segment ${segment.id}${name}${segment.defined ? '' : ': not defined, never matches'}`,
    );
    for (const constraint of segment.constraints) lines.push(`          ${renderConstraint(constraint)}`);
  }
  if (strategy.rollout) lines.push(`      ${renderRollout(strategy.rollout)}`);
  else if (strategy.name !== 'default') lines.push(`      ${mark(strategy.ruleHeld)} ${strategy.name} rule`);
  return lines;
}

function renderConstraint(constraint: ConstraintTrace): string {
  const operator = `${constraint.inverted ? 'NOT ' : ''}${constraint.operator}${constraint.caseInsensitive ? ' (any case)' : ''}`;
  const values = constraint.values.length === 1 ? constraint.values[0] : `[${constraint.values.join(', ')}]`;
  const actual = constraint.contextValue === undefined ? 'not set' : JSON.stringify(constraint.contextValue);
  return `${mark(constraint.held)} ${constraint.contextName} ${operator} ${values}: context ${actual}`;
}

/** "bucket 37, rollout 20 → off" */
function renderRollout(rollout: RolloutTrace): string {
  const outcome = rollout.held ? 'on' : 'off';
  if (rollout.bucket === undefined) {
    if (rollout.percentage >= 100 && rollout.random) return `${mark(true)} rollout 100 → on for everyone`;
    const why = rollout.random ? 'random bucket' : `no ${rollout.stickiness} in the context`;
    return `${mark(rollout.held)} ${why}, rollout ${rollout.percentage}${rollout.random ? '' : ` → ${outcome}`}`;
  }
  const sticky = `${rollout.field ?? rollout.stickiness} ${JSON.stringify(rollout.stickinessValue)}, group "${rollout.groupId}"`;
  return `${mark(rollout.held)} bucket ${rollout.bucket}, rollout ${rollout.percentage} → ${outcome} (${sticky})`;
}
