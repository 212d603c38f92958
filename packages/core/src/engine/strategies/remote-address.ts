// `remoteAddress`: on for the listed IPs and IPv4 CIDR ranges (unleash-client lib/strategy/remote-addresss-strategy.js).
import { Address4 } from 'ip-address';
import { ALWAYS_FALSE } from '../constraints.js';
import type { BuiltInStrategy } from './built-in-strategy.js';
import { listParameter } from './parameters.js';

export const remoteAddressStrategy: BuiltInStrategy = {
  name: 'remoteAddress',
  compile(parameters, field) {
    const ranges = listParameter(parameters.IPs, `${field}.IPs`, ' of IPs and CIDR ranges');
    if (ranges === undefined) return ALWAYS_FALSE;
    const exact = new Set(ranges);
    // unleash-client only checks IPv4 subnets; any other entry matches by exact text
    const subnets = ranges.filter((range) => Address4.isValid(range)).map((range) => new Address4(range));
    return (context) => {
      const remoteAddress = context.remoteAddress;
      if (exact.has(remoteAddress as string)) return true;
      if (subnets.length === 0 || typeof remoteAddress !== 'string') return false;
      const address = parseAddress4(remoteAddress);
      if (address === null) return false;
      for (const subnet of subnets) if (address.isInSubnet(subnet)) return true;
      return false;
    };
  },
};

// Parsed context addresses, bounded so that a flood of distinct ones only costs a reset.
const address4Cache = new Map<string, Address4 | null>();
const ADDRESS_CACHE_LIMIT = 1000;

function parseAddress4(text: string): Address4 | null {
  let parsed = address4Cache.get(text);
  if (parsed !== undefined) return parsed;
  parsed = Address4.isValid(text) ? new Address4(text) : null;
  // an IPv4 address with a /suffix is at most 18 characters: longer values are not kept
  if (text.length <= 18) {
    if (address4Cache.size >= ADDRESS_CACHE_LIMIT) address4Cache.clear();
    address4Cache.set(text, parsed);
  }
  return parsed;
}
