// What the fragments of @flagwise/express's README take from its first snippet, and the route handlers they
// name, written as an app would write them.
import express, { type Express, type Request, type Response } from 'express';

export { featureFlags, requireFeature, requireVariant } from '@flagwise/express';

export const app: Express = express();
export const showBeta = (_req: Request, res: Response) => res.send('beta');
export const onePageCheckout = (_req: Request, res: Response) => res.send('one page');
export const classicCheckout = (_req: Request, res: Response) => res.send('classic');
export const pay = (_req: Request, res: Response) => res.json({ paid: true });
