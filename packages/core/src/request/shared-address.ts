// Behind a reverse proxy that the framework is not told to trust, every request comes from the proxy's own
// address. Anonymous visitors then share one remoteAddress: a variant split by Unleash's default stickiness gives
// all of them one variant, and IP constraints see the proxy. This watches for it with a bounded amount of state:
// the last address seen on anonymous requests that carried X-Forwarded-For, and a count.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { FlagContext } from '../types.js';

const privateNetworks = new BlockList();
for (const [network, prefix] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  // carrier-grade NAT, the range some cloud load balancers use
  ['100.64.0.0', 10],
] as const)
  privateNetworks.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  privateNetworks.addSubnet(network, prefix, 'ipv6');

/**
 * Is the address a loopback, private or link-local one (a proxy on the same host or network)?
 * @example isPrivateAddress('::ffff:10.0.0.7') // true
 */
export function isPrivateAddress(address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIPv4(plain)) return privateNetworks.check(plain, 'ipv4');
  if (isIPv6(plain)) return privateNetworks.check(plain, 'ipv6');
  return false;
}

/** Counts anonymous requests in a row from one private address; says once when they reach the limit. */
export class SharedAddressWatch {
  private address: string | undefined = undefined;
  private addressIsPrivate = false;
  private count = 0;
  private done = false;

  constructor(private readonly limit: number) {}

  /**
   * Notes one request that came with an X-Forwarded-For header the framework does not trust; true exactly once,
   * when `limit` anonymous requests in a row came from one private address.
   */
  noted(context: FlagContext): boolean {
    if (this.done || context.userId || context.sessionId) return false;
    const address = context.remoteAddress;
    if (typeof address !== 'string' || address === '') return false;
    if (address !== this.address) {
      this.address = address;
      this.addressIsPrivate = isPrivateAddress(address);
      this.count = 0;
    }
    if (!this.addressIsPrivate || ++this.count < this.limit) return false;
    this.done = true;
    return true;
  }
}
