// The apps of bench/suites/33-http-nest.ts (`pnpm bench http-nest`), started in child processes by
// bench/lib/http-bench.ts. They live here so they resolve this package's Nest 11 and its source directly.
import {
  type CanActivate,
  Controller,
  createParamDecorator,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
  Module,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import {
  definitions,
  GUARD_FLAG,
  type HandWrittenFlags,
  handWrittenEvaluations,
  handWrittenFlagsObject,
  PRODUCTS,
  publicClientEvaluations,
  readThrough,
} from '../../../bench/lib/workload.js';
import {
  createFlags,
  FeatureFlagsModule,
  FeatureRequired,
  type FlagContext,
  Flags,
  memorySource,
  type RequestFlags,
} from '../src/index.js';

/** A started server, as bench/lib/http-bench.ts expects it. */
interface RunningServer {
  url: string;
  close(): Promise<void>;
}

async function listenNest(module: unknown, setUp?: (app: INestApplication) => void): Promise<RunningServer> {
  const app = await NestFactory.create(module as never, new ExpressAdapter(), {
    logger: false,
  });
  setUp?.(app);
  await app.listen(0, '127.0.0.1');
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() };
}

/** Target: Nest 11 on Express without flags; the same JSON with fixed values. */
export async function startBare(): Promise<RunningServer> {
  @Controller()
  class ProductsController {
    @Get('products')
    products() {
      return { products: PRODUCTS, rollout: true, plan: false, variant: 'control' };
    }
  }
  @Module({ controllers: [ProductsController] })
  class AppModule {}
  return listenNest(AppModule);
}

function flagsModule() {
  return FeatureFlagsModule.forRoot({
    client: createFlags({ source: memorySource({ version: 2, features: definitions() }) }),
    context: (req: { headers: Record<string, string | undefined> }) => ({
      userId: req.headers['x-user-id'],
      properties: { plan: req.headers['x-plan'] },
    }),
  });
}

/** Target: FeatureFlagsModule with 200 flags and @FeatureRequired on the route; the bare app's answer. */
export async function startGuarded(): Promise<RunningServer> {
  @Controller()
  class ProductsController {
    @Get('products')
    @FeatureRequired(GUARD_FLAG)
    products() {
      return { products: PRODUCTS, rollout: true, plan: false, variant: 'control' };
    }
  }
  @Module({ imports: [flagsModule()], controllers: [ProductsController] })
  class AppModule {}
  return listenNest(AppModule);
}

/** Target: FeatureFlagsModule with 200 flags, @FeatureRequired on the route, 3 reads through @Flags(). */
export async function startFlagwise(): Promise<RunningServer> {
  @Controller()
  class ProductsController {
    @Get('products')
    @FeatureRequired(GUARD_FLAG)
    products(@Flags() flags: RequestFlags) {
      return {
        products: PRODUCTS,
        ...readThrough(flags),
      };
    }
  }
  @Module({ imports: [flagsModule()], controllers: [ProductsController] })
  class AppModule {}
  return listenNest(AppModule);
}

@Injectable()
class AllowGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}
const Constant = createParamDecorator(() => true);

/** Target: no flagwise, but Nest's own cost of what flagwise uses — one route guard, one custom param decorator. */
export async function startNestMachinery(): Promise<RunningServer> {
  @Controller()
  class ProductsController {
    @Get('products')
    @UseGuards(AllowGuard)
    products(@Constant() rollout: boolean) {
      return { products: PRODUCTS, rollout, plan: false, variant: 'control' };
    }
  }
  @Module({ controllers: [ProductsController], providers: [AllowGuard] })
  class AppModule {}
  return listenNest(AppModule);
}

// The same shape by hand: what any Nest flags integration with this API costs, without flagwise. An Express
// middleware builds the context on the request and the view locals, a guard evaluates the guard flag, a param
// decorator hands the context to the handler, and the same 3 reads run straight on compileFlags.
const evaluate = handWrittenEvaluations();
type WithContext = { flagContext: FlagContext; headers: Record<string, string | undefined> };
@Injectable()
class FlagGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return evaluate.guard(context.getArgByIndex<WithContext>(0).flagContext);
  }
}
const FlagContextParam = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.getArgByIndex<WithContext>(0).flagContext,
);

/** Target: the same shape by hand — context middleware, guard, param, 3 reads on compileFlags, no flagwise. */
export async function startSameShape(): Promise<RunningServer> {
  @Controller()
  class ProductsController {
    @Get('products')
    @UseGuards(FlagGuard)
    products(@FlagContextParam() context: FlagContext) {
      return { products: PRODUCTS, ...evaluate.reads(context) };
    }
  }
  @Module({ controllers: [ProductsController], providers: [FlagGuard] })
  class AppModule {}
  return listenNest(AppModule, (app) =>
    app.use(
      (
        req: WithContext & { socket: { remoteAddress?: string } },
        res: { locals: Record<string, unknown> },
        next: () => void,
      ) => {
        req.flagContext = {
          remoteAddress: req.socket.remoteAddress,
          userId: req.headers['x-user-id'],
          properties: { plan: req.headers['x-plan'] },
        };
        res.locals.flagContext = req.flagContext;
        next();
      },
    ),
  );
}

// The same lazy object by hand: an Express middleware attaches a memoizing Proxy (handWrittenFlagsObject) to the
// request and the view locals, a guard reads the guard flag through it, a param decorator hands it to the
// handler, which reads the same 3 flags through it.
const { flagsFor } = handWrittenFlagsObject();
type WithFlags = { handFlags: HandWrittenFlags; headers: Record<string, string | undefined> };
@Injectable()
class HandFlagGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.getArgByIndex<WithFlags>(0).handFlags[GUARD_FLAG];
  }
}
const HandFlagsParam = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.getArgByIndex<WithFlags>(0).handFlags,
);

/** Target: the same lazy object by hand — a middleware attaching it, a guard and a param reading through it. */
export async function startSameObject(): Promise<RunningServer> {
  @Controller()
  class ProductsController {
    @Get('products')
    @UseGuards(HandFlagGuard)
    products(@HandFlagsParam() flags: HandWrittenFlags) {
      return {
        products: PRODUCTS,
        ...readThrough(flags),
      };
    }
  }
  @Module({ controllers: [ProductsController], providers: [HandFlagGuard] })
  class AppModule {}
  return listenNest(AppModule, (app) =>
    app.use(
      (
        req: WithFlags & { socket: { remoteAddress?: string } },
        res: { locals: Record<string, unknown> },
        next: () => void,
      ) => {
        req.handFlags = flagsFor({
          remoteAddress: req.socket.remoteAddress,
          userId: req.headers['x-user-id'],
          properties: { plan: req.headers['x-plan'] },
        });
        res.locals.handFlags = req.handFlags;
        next();
      },
    ),
  );
}

// The same app by hand on flagwise's public client: an Express middleware puts `{ userId, properties: { plan } }`
// from the two headers on the request, a guard and a param decorator hand it on, and the guard and the 3 reads
// call `client.isEnabled` / `client.getVariant` with it.
let onClient: ReturnType<typeof publicClientEvaluations>;
@Injectable()
class PublicClientGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return onClient.guard(context.getArgByIndex<WithContext>(0).flagContext);
  }
}

/** Target: the same app by hand on flagwise's public client, no module, no request object. */
export async function startPublicClient(): Promise<RunningServer> {
  const client = createFlags({ source: memorySource({ version: 2, features: definitions() }) });
  await client.ready({ timeoutMs: 5000 });
  onClient = publicClientEvaluations(client);
  @Controller()
  class ProductsController {
    @Get('products')
    @UseGuards(PublicClientGuard)
    products(@FlagContextParam() context: FlagContext) {
      return { products: PRODUCTS, ...onClient.reads(context) };
    }
  }
  @Module({ controllers: [ProductsController], providers: [PublicClientGuard] })
  class AppModule {}
  return listenNest(AppModule, (app) =>
    app.use((req: WithContext, _res: unknown, next: () => void) => {
      req.flagContext = onClient.contextOf(req.headers);
      next();
    }),
  );
}
