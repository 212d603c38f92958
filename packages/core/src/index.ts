export * from './types.js';
export * from './errors.js';
export { silentLogger, consoleLogger } from './logger.js';
