// Stands in for a login: the visitor picks a user with `?user=name` (remembered in a cookie) and this guard sets
// `req.user`, as passport's AuthGuard would. flagwise reads the user id from `req.user` after guards like this.
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';

/** What this guard uses of Express's request and response. */
interface DemoRequest {
  query: Record<string, unknown>;
  headers: { cookie?: string };
  user?: { id: string };
}
interface DemoResponse {
  cookie(name: string, value: string, options: { httpOnly: boolean; sameSite: 'lax' }): void;
}

const USER_COOKIE = 'demo_user';

@Injectable()
export class DemoLoginGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<DemoRequest>();
    // Global (for flagwise's endpoints) and on the demo's controller: once is enough.
    if (request.user !== undefined) return true;
    const chosen = typeof request.query.user === 'string' ? request.query.user : undefined;
    if (chosen !== undefined) {
      http.getResponse<DemoResponse>().cookie(USER_COOKIE, chosen, { httpOnly: true, sameSite: 'lax' });
    }
    const id = chosen ?? readCookie(request, USER_COOKIE);
    if (id) request.user = { id };
    return true;
  }
}

function readCookie(request: DemoRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
