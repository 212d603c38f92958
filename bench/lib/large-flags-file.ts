// A flags.yaml of realistic shape and a given size: rollouts, conditions, variants and descriptions, the
// kind of file that reaches 10,000 flags and 5 MB in a large app. Used by the reload bench and its tests.

/**
 * The text of a flags.yaml with `count` flags; `generation` changes every rollout, so two generations differ in
 * every flag. About 500 bytes a flag.
 * @example
 * writeFileSync('flags.yaml', largeFlagsFile(10_000, 1)); // about 5 MB
 */
export function largeFlagsFile(count: number, generation = 0): string {
  const lines: string[] = ['flags:'];
  for (let i = 0; i < count; i++) {
    const rollout = (i * 7 + generation * 13) % 101;
    lines.push(
      `  flag-${i}:`,
      `    description: "Rollout ${i} of the checkout and pricing experiments, generation ${generation}; owned by team ${i % 40}, reviewed weekly, removed once it reaches everyone and the old path is deleted from the code base"`,
      `    rollout: ${rollout}`,
      '    when:',
      `      plan: [pro, team, enterprise-${i % 9}]`,
      '      country: { not: [KP, IR, SY] }',
      `      appVersion: { semver_gt: 2.${i % 30}.0 }`,
      '    variants:',
      `      blue: { weight: 50, payload: { json: { color: blue, size: ${i % 17} } } }`,
      `      green: { weight: 50, payload: { json: { color: green, size: ${i % 19} } } }`,
    );
  }
  return `${lines.join('\n')}\n`;
}
