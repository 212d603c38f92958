export { type BackupScope, backupFilePath, DEFAULT_BACKUP_DIRECTORY } from './backup-file.js';
export { type GitlabSourceOptions, gitlabSource } from './gitlab-source.js';
export { redactSecret, redactUrls } from './redact.js';
export { type SourceFromEnvOptions, sourceFromEnv } from './source-from-env.js';
export type { UnleashFlagSource } from './unleash-client-source.js';
export { type UnleashSourceOptions, unleashSource } from './unleash-source.js';
