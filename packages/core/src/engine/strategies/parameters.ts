// What the built-in strategies share: reading their parameters as unleash-client reads them, and its random bucket.
import { fail, kindOf } from '../definition-problem.js';
import { type HashPrefix, prepareHashPrefix, STRATEGY_SEED } from '../murmur.js';

/** unleash-client splits id and address lists on commas with optional blanks around them. */
export const LIST_SEPARATOR = /\s*,\s*/;

/**
 * A percentage parameter (`"25"` or `25`). One that is not a percentage makes a broken definition, where
 * unleash-client would read NaN.
 * @example percentageParameter({ rollout: '25' }, 'rollout', 'strategies[0].parameters') // 25
 */
export function percentageParameter(parameters: Record<string, unknown>, key: string, field: string): number {
  const raw = parameters[key];
  const value =
    typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!(value >= 0 && value <= 100)) {
    fail(`${field}.${key}`, `must be a percentage from 0 to 100 (as "25" or 25), got ${kindOf(raw)}`);
  }
  return value;
}

/**
 * groupId is read through a template string by unleash-client: strings and numbers only make sense.
 * @example groupIdText('checkout', 'strategies[0].parameters.groupId') // 'checkout'
 */
export function groupIdText(raw: unknown, field: string): string | undefined {
  if (!raw) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') fail(field, `must be a string, got ${kindOf(raw)}`);
  return String(raw);
}

/** A uniformly random bucket 1..100, where unleash-client hashes a random number. */
export function randomPercent(): number {
  return Math.floor(Math.random() * 100) + 1;
}

/** A comma-separated list parameter (`userIds`, `hostNames`, `IPs`); undefined when empty. */
export function listParameter(raw: unknown, field: string, what: string): string[] | undefined {
  if (!raw) return undefined;
  if (typeof raw !== 'string') fail(field, `must be a comma-separated string${what}, got ${kindOf(raw)}`);
  return raw.split(LIST_SEPARATOR);
}

/**
 * What the two gradual rollouts by id read: the percentage, and the hash prefix of `groupId:`; undefined for a
 * rollout of 0 %, which lets nobody in.
 * @example gradualRollout({ percentage: '20', groupId: 'beta' }, field) // { percentage: 20, prefix }
 */
export function gradualRollout(
  parameters: Record<string, unknown>,
  field: string,
): { percentage: number; prefix: HashPrefix } | undefined {
  const percentage = percentageParameter(parameters, 'percentage', field);
  if (percentage <= 0) return undefined;
  const groupId = groupIdText(parameters.groupId, `${field}.groupId`) || '';
  return { percentage, prefix: prepareHashPrefix(`${groupId}:`, STRATEGY_SEED) };
}
