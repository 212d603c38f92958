// Gives every HTTP request handled by a Nest route its flags, after the guards (so an auth guard's `req.user` is
// in the context) and before pipes and the handler (so `@Flags()` and `@Render` views have them).
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { NestRequestFlags } from './platform-request.js';
import { REQUEST_FLAGS } from './tokens.js';

/** The module registers it as a global interceptor (APP_INTERCEPTOR); there is nothing to add by hand. */
@Injectable()
export class FeatureFlagsInterceptor implements NestInterceptor {
  constructor(@Inject(REQUEST_FLAGS) private readonly requestFlags: NestRequestFlags) {}

  intercept(
    context: ExecutionContext,
    next: CallHandler,
  ): Observable<unknown> | Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    // The HTTP arguments are (request, response, next); switchToHttp() would allocate on every request.
    const waiting = this.requestFlags.attach(context.getArgByIndex(0), context.getArgByIndex(1));
    return waiting === undefined ? next.handle() : waiting.then(() => next.handle());
  }
}
