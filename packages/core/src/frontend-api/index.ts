export { type FrontendApiToggle, frontendApiEndpoint } from './frontend-api.js';
export type {
  ClientContextTrust,
  FrontendApiCors,
  FrontendApiExpose,
  FrontendApiOptions,
} from './options.js';
