// Counts in the CLI's output: `1 flag`, `3 flags`.

/**
 * A count with its noun, singular for one.
 * @example counted(2, 'error'); // '2 errors'
 */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
