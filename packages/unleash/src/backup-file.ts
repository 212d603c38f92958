// The last good definitions on disk, so an app whose Unleash is down starts with the flags it last saw.
// Same file name and content as unleash-client's own backup (`unleash-backup-<appName>.json` holding
// `{ version, features, segments }`), so either can read the other's file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ClientFeaturesPayload } from '@flagwise/core';

/**
 * Where backups go when `backupPath` is not given: `.flagwise/` in the working directory (add it to .gitignore).
 * @example
 * unleashSource({ url, apiToken, appName: 'shop' }).backupFile   // <cwd>/.flagwise/unleash-backup-shop.json
 */
export const DEFAULT_BACKUP_DIRECTORY = '.flagwise';

/**
 * The backup file for an app: `<dir>/unleash-backup-<appName, "/" → "_">.json`, as unleash-client names it.
 * @example
 * backupFilePath('/var/lib/shop', 'review/patch-1')   // '/var/lib/shop/unleash-backup-review_patch-1.json'
 */
export function backupFilePath(directory: string, appName: string): string {
  return join(resolve(directory), `unleash-backup-${appName.replace(/\//g, '_')}.json`);
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

/** Writes through a temporary file and a rename, so a crash mid-write never leaves half a backup behind. */
export async function writeBackup(path: string, payload: ClientFeaturesPayload): Promise<void> {
  const directory = resolve(path, '..');
  await mkdir(directory, { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, serializeBackup(payload));
  await rename(temporary, path);
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
