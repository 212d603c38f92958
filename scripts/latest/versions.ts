// Which peers the canary moves to their newest release, and how: in a scratch copy of the repository, every
// pin of a peer in its newest major (in any package.json but the root's, which holds the repository's own
// toolchain: dependencies, dev dependencies, npm aliases such as `"express5": "npm:express@5.3.0"`) becomes the
// newest published version. Pins of older majors stay, so the rows for the previous major keep testing it; a
// declared peer range that does not allow the newest version is widened, so that npm installs it at all.
import semver from 'semver';

/** The peers the canary tries; a name ending in `/` stands for every package of that scope the repository pins. */
export const PEERS = [
  'express',
  'fastify',
  'koa',
  '@koa/router',
  '@nestjs/',
  'unleash-client',
  'unleash-server',
  // the OpenFeature SDKs, their shared core and the OFREP providers; @openfeature/ofrep-core follows the
  // providers, which each declare the release they work with
  '@openfeature/core',
  '@openfeature/server-sdk',
  '@openfeature/web-sdk',
  '@openfeature/nestjs-sdk',
  '@openfeature/ofrep-provider',
  '@openfeature/ofrep-web-provider',
  'unleash-proxy-client',
  'typescript',
  'vitest',
];

export function isPeer(name: string): boolean {
  return PEERS.some((peer) => (peer.endsWith('/') ? name.startsWith(peer) : name === peer));
}

/** Peers released together move together: a scope (`@nestjs`), or the package itself. */
export function familyOf(name: string): string {
  return name.startsWith('@') ? name.split('/')[0] : name;
}

export interface PackageJson {
  name?: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [field: string]: unknown;
}

/** A package.json of the scratch copy: its path relative to the repository, and its contents. */
export interface Manifest {
  file: string;
  json: PackageJson;
}

const PIN_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** One pinned version of a peer: `"express": "5.3.0"` or `"express5": "npm:express@5.3.0"`. */
interface Pin {
  manifest: Manifest;
  field: (typeof PIN_FIELDS)[number];
  key: string;
  name: string;
  range: string;
  alias: boolean;
}

function pinsOf(manifests: Manifest[]): Pin[] {
  const pins: Pin[] = [];
  for (const manifest of manifests) {
    for (const field of PIN_FIELDS) {
      for (const [key, spec] of Object.entries(manifest.json[field] ?? {})) {
        const alias = /^npm:((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(spec);
        const [name, range] = alias ? [alias[1], alias[2]] : [key, spec];
        if (isPeer(name) && semver.validRange(range)) {
          pins.push({ manifest, field, key, name, range, alias: alias !== null });
        }
      }
    }
  }
  return pins;
}

/** The peers any of `manifests` pins, by name. */
export function pinnedPeers(manifests: Manifest[]): string[] {
  return [...new Set(pinsOf(manifests).map((pin) => pin.name))].sort();
}

/** What the canary changes for one peer. */
export interface PeerPlan {
  name: string;
  latest: string;
  /** the pins of the newest major the suites test, which now ask for `latest`; empty when no suite pins it */
  replaced: string[];
  /** published packages whose declared range leaves `latest` out: `@flagwise/nestjs peer ^10.0.0 || ^11.0.0` */
  notAllowedBy: string[];
  /** the folders whose package.json pins moved */
  folders: string[];
}

/** Is `latest` what the suites already run? */
export function isCurrent(plan: PeerPlan): boolean {
  return plan.replaced.length === 1 && plan.replaced[0] === plan.latest;
}

/**
 * Points every pin of each peer's newest tested major at `latest[name]`, and widens declared peer ranges that do
 * not allow it. Changes `manifests` in place (leave the root's toolchain out of them); returns one plan per peer.
 * @example
 * const plans = moveToLatest(manifests, { express: '5.4.0' });
 * // "express5": "npm:express@5.3.0" → "npm:express@5.4.0"; "express4" stays on 4.22.3
 */
export function moveToLatest(manifests: Manifest[], latest: Record<string, string>): PeerPlan[] {
  const pins = pinsOf(manifests);
  return Object.entries(latest).map(([name, version]) => {
    const notAllowedBy: string[] = [];
    for (const { json, file } of manifests) {
      if (json.private) continue;
      for (const [field, word] of [
        ['peerDependencies', 'peer'],
        ['dependencies', 'depends on'],
      ] as const) {
        const range = json[field]?.[name];
        if (range && semver.validRange(range) && !semver.satisfies(version, range)) {
          notAllowedBy.push(`${json.name ?? file} ${word} ${range}`);
          if (field === 'peerDependencies') json[field]![name] = `${range} || ${version}`;
        }
      }
    }
    const own = pins.filter((pin) => pin.name === name);
    const majorOf = (pin: Pin) => semver.minVersion(pin.range)!.major;
    const newestMajor = Math.max(...own.map(majorOf));
    const replaced = own.filter((pin) => majorOf(pin) === newestMajor);
    for (const pin of replaced) {
      pin.manifest.json[pin.field]![pin.key] = pin.alias ? `npm:${name}@${version}` : version;
    }
    return {
      name,
      latest: version,
      replaced: [...new Set(replaced.map((pin) => pin.range))].sort((a, b) =>
        semver.compare(semver.minVersion(a)!, semver.minVersion(b)!),
      ),
      notAllowedBy,
      folders: [
        ...new Set(replaced.map((pin) => pin.manifest.file.replace(/\/?package\.json$/, '') || '.')),
      ].sort(),
    };
  });
}
