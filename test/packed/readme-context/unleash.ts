// What the fragments of @flagwise/unleash's README take from the Express app they extend.
import express, { type Express } from 'express';

export { featureFlags } from '@flagwise/express';

export const app: Express = express();
