// Where a guarded handler or `@Flags()` finds the platform request: in an HTTP handler's own arguments, or in a
// GraphQL resolver's context, where the GraphQL module puts it as `req` (read here the way GqlExecutionContext
// reads it, so @nestjs/graphql need not be installed). Other contexts — a microservice message, a WebSocket
// event — have no HTTP request to take flags from: flagwise refuses them, and says so as the app starts.
import type { ExecutionContext } from '@nestjs/common';

/** The platform request of a call (Express `req` or Fastify `request`) and its response, where known. */
export interface PlatformCall {
  request: any;
  response: any;
}

/** The call's platform request, or undefined in a context flagwise does not serve. */
export function platformCallOf(context: ExecutionContext): PlatformCall | undefined {
  const type = context.getType<string>();
  // The HTTP arguments are (request, response, next); switchToHttp() would allocate on every request.
  if (type === 'http') return { request: context.getArgByIndex(0), response: context.getArgByIndex(1) };
  if (type === 'graphql') {
    // A resolver's arguments are (root, args, context, info).
    const graphqlContext = context.getArgByIndex(2) as { req?: unknown; res?: unknown } | undefined;
    const request = graphqlContext?.req;
    if (typeof request !== 'object' || request === null) return undefined;
    return { request, response: graphqlContext?.res };
  }
  return undefined;
}

/** What a context flagwise does not serve is, for messages: `a WebSocket message handler`. */
export function describeContextType(type: string): string {
  if (type === 'rpc') return 'a microservice message handler';
  if (type === 'ws') return 'a WebSocket message handler';
  return `a handler of a "${type}" context`;
}

/**
 * The message for flagwise used where it has no HTTP request: at startup (a warning) and on each call of
 * `@Flags()` (an error).
 * @example unservedMessage("@FeatureRequired('beta')", 'ChatGateway.beta', 'ws', 'refuses every call')
 */
export function unservedMessage(what: string, handler: string, type: string, outcome: string): string {
  return (
    `${what} on ${handler}, ${describeContextType(type)}: flagwise reads flags from HTTP requests and GraphQL ` +
    `resolvers, which this call is not, so it ${outcome}. In such a handler evaluate with FeatureFlagsService ` +
    'and a context of your own: flags.forContext({ userId })'
  );
}
