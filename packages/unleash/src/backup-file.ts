// The last good definitions on disk, so an app whose Unleash is down starts with the flags it last saw.
// The content is unleash-client's own backup format (`{ version, features, segments }`). The name adds a key of
// the server URL, environment and project to the app name, so a backup written for one environment is never
// served to an app started against another (say, with a token for another environment).
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ClientFeaturesPayload } from '@flagwise/core';

/**
 * Where backups go when `backupPath` is not given: `.flagwise/` in the working directory (add it to .gitignore).
 * @example
 * unleashSource({ url, apiToken, appName: 'shop' }).backupFile   // <cwd>/.flagwise/unleash-backup-shop.json
 */
export const DEFAULT_BACKUP_DIRECTORY = '.flagwise';

/**
 * What a backup was fetched for: the server, the environment and project asked for, and the credential whose
 * answer it holds (only a hash of it reaches the file name).
 * @example
 * const scope: BackupScope = { url: 'https://unleash.example.com/api', environment: 'production', project: 'default' };
 */
export interface BackupScope {
  url: string;
  environment?: string;
  project?: string;
  /** an API token: a server answers each token with the flags of its own project and environment */
  credential?: string;
}

/**
 * The backup file for an app: `<dir>/unleash-backup-<appName, "/" → "_">-<key>.json`, the key a short hash of
 * the scope (URL, environment, project, credential), or without the key when no scope is given.
 * @example
 * backupFilePath('/var/lib/shop', 'review/patch-1')   // '/var/lib/shop/unleash-backup-review_patch-1.json'
 * backupFilePath('.flagwise', 'shop', { url: 'https://u.example/api', environment: 'production' })
 * // '<cwd>/.flagwise/unleash-backup-shop-<12 hex digits>.json'
 */
export function backupFilePath(directory: string, appName: string, scope?: BackupScope): string {
  const name = appName.replace(/\//g, '_');
  if (scope === undefined) return join(resolve(directory), `unleash-backup-${name}.json`);
  const fields = [scope.url, scope.environment ?? '', scope.project ?? ''];
  if (scope.credential !== undefined) fields.push(scope.credential);
  const key = createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 12);
  return join(resolve(directory), `unleash-backup-${name}-${key}.json`);
}

/**
 * Reads a backup file. Resolves undefined when there is none; rejects with a readable reason when the file
 * exists but is not a definitions payload.
 */
export async function readBackup(path: string): Promise<ClientFeaturesPayload | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (text.trim() === '') return undefined;
  const parsed: unknown = JSON.parse(text);
  if (!isPayload(parsed)) {
    throw new Error(
      `${path} is not a flags backup (expected {"version", "features": [...], "segments": [...]})`,
    );
  }
  return {
    version: typeof parsed.version === 'number' ? parsed.version : 2,
    features: parsed.features,
    segments: Array.isArray(parsed.segments) ? parsed.segments : [],
  };
}

/**
 * Writes through a temporary file, flushed to disk before the rename, so neither a crash mid-write nor a power
 * loss right after it leaves half a backup behind.
 */
export async function writeBackup(path: string, payload: ClientFeaturesPayload): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(serializeBackup(payload));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}

/**
 * Removes `<backup>.<pid>.tmp` files a process that died mid-write left next to the backup (never one a live
 * process is still writing). Resolves the names it removed.
 */
export async function removeStaleTemporaries(path: string): Promise<string[]> {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (!Number.isInteger(pid) || (pid !== process.pid && isAlive(pid))) continue;
    try {
      await unlink(join(dirname(path), name));
      removed.push(name);
    } catch {
      // gone already, or not ours to remove: either way nothing to do
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The exact bytes a backup holds for a payload: no `query` or `meta`, segments always present. */
export function serializeBackup(payload: ClientFeaturesPayload): string {
  return JSON.stringify({
    version: payload.version,
    features: payload.features,
    segments: payload.segments ?? [],
  });
}

function isPayload(value: unknown): value is ClientFeaturesPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { features?: unknown }).features) &&
    (value as { features: unknown[] }).features.every(
      (feature) =>
        typeof feature === 'object' &&
        feature !== null &&
        typeof (feature as { name?: unknown }).name === 'string',
    )
  );
}
