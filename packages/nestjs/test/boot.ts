// Boots a real Nest app on the Express or Fastify platform, listening on 127.0.0.1 port 0.
import 'reflect-metadata';
import {
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: Platform[] = ['express', 'fastify'];

export interface BootedApp {
  app: INestApplication;
  url: string;
  get(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export async function boot(
  module: unknown,
  platform: Platform,
  configure?: (app: INestApplication) => void | Promise<void>,
): Promise<BootedApp> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(module as never, adapter as never, { logger: false });
  await configure?.(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    async get(path, headers = {}) {
      const response = await fetch(url + path, { headers });
      return { status: response.status, text: await response.text(), headers: response.headers };
    },
    close: () => app.close(),
  };
}

/** A stand-in for an auth guard: the `x-user` header becomes `req.user`. */
@Injectable()
export class HeaderUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest();
    if (request.headers['x-user']) request.user = { id: request.headers['x-user'] };
    return true;
  }
}

/**
 * Authenticates `authorization: user <id>` and sets `req.user`, as passport's AuthGuard does; the user's plan is
 * `pro` for an id ending in `-pro`, else `basic`. Without the header: 401.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest();
    const header: string | undefined = request.headers.authorization;
    if (!header?.startsWith('user ')) throw new UnauthorizedException();
    request.user = { id: header.slice(5), plan: header.endsWith('-pro') ? 'pro' : 'basic' };
    return true;
  }
}
