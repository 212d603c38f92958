// The two apps of bench/suites/33-http-nest.ts (`pnpm bench http-nest`), started in child processes by
// bench/lib/http-bench.ts. They live here so they resolve this package's Nest 11 and its source directly.
import {
  type CanActivate,
  Controller,
  createParamDecorator,
  Get,
  Injectable,
  Module,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { definitions, GUARD_FLAG, PRODUCTS, VARIANT_FLAG } from '../../../bench/lib/workload.js';
import {
  createFlags,
  FeatureFlagsModule,
  FeatureRequired,
  Flags,
  memorySource,
  type RequestFlags,
} from '../src/index.js';

/** A started server, as bench/lib/http-bench.ts expects it. */
interface RunningServer {
  url: string;
  close(): Promise<void>;
}

async function listenNest(module: unknown): Promise<RunningServer> {
  const app = await NestFactory.create(module as never, new ExpressAdapter(), {
    logger: false,
  });
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

/** Target: FeatureFlagsModule with 200 flags, @FeatureRequired on the route, 3 reads through @Flags(). */
export async function startFlagwise(): Promise<RunningServer> {
  const client = createFlags({ source: memorySource({ version: 2, features: definitions() }) });
  @Controller()
  class ProductsController {
    @Get('products')
    @FeatureRequired(GUARD_FLAG)
    products(@Flags() flags: RequestFlags) {
      return {
        products: PRODUCTS,
        rollout: flags.flag001,
        plan: flags.flag002,
        variant: flags.variant(VARIANT_FLAG).name,
      };
    }
  }
  @Module({
    imports: [
      FeatureFlagsModule.forRoot({
        client,
        context: (req: { headers: Record<string, string | undefined> }) => ({
          userId: req.headers['x-user-id'],
          properties: { plan: req.headers['x-plan'] },
        }),
      }),
    ],
    controllers: [ProductsController],
  })
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
