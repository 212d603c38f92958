// Counts in messages: `1 flag`, `3 flags`.

/**
 * A count with its noun, singular for one.
 * @example counted(1, 'flag'); // '1 flag'
 * @example counted(3, 'strategy', 'strategies'); // '3 strategies'
 */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
