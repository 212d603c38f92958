// The OpenFeature row of bench/suites/33-http-nest.ts (`pnpm bench http-nest`), started in a child process by
// bench/lib/http-bench.ts: a Nest 11 app on Express built with OpenFeature's own Nest SDK over its
// InMemoryProvider, no flagwise. It lives here so it resolves this package's Nest 11 and @openfeature/nestjs-sdk.
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import {
  BooleanFeatureFlag,
  type EvaluationDetails,
  OpenFeature,
  OpenFeatureModule,
  RequireFlagsEnabled,
  StringFeatureFlag,
} from '@openfeature/nestjs-sdk';
import { type EvaluationContext, InMemoryProvider } from '@openfeature/server-sdk';
// The handler awaits each injected Observable: rxjs may load here as ESM while Nest loads it as CommonJS, and
// an Observable of the other build fails Nest's instanceof check.
import { firstValueFrom, type Observable } from 'rxjs';
import {
  definitions,
  GUARD_FLAG,
  PLAN_FLAG,
  PRODUCTS,
  ROLLOUT_FLAG,
  VARIANT_FLAG,
} from '../../../bench/lib/workload.js';
import {
  bucketOf,
  hashWithPrefix,
  prepareHashPrefix,
  STRATEGY_SEED,
  VARIANT_SEED,
} from '../../core/src/engine/murmur.js';

/** A started server, as bench/lib/http-bench.ts expects it. */
interface RunningServer {
  url: string;
  close(): Promise<void>;
}

type InMemoryFlags = ConstructorParameters<typeof InMemoryProvider>[0];

/**
 * The workload's 200 flags as InMemoryProvider configurations, each with a context evaluator written by hand for
 * its rule (Unleash's bucketing on the targeting key), so every user gets the values the flagwise rows answer.
 */
function inMemoryFlags(): InMemoryFlags {
  const flags: InMemoryFlags = {};
  for (const definition of definitions()) {
    const name = definition.name;
    const strategy = definition.strategies?.[0];
    const variants = definition.variants ?? [];
    if (variants.length > 0) {
      const prefix = prepareHashPrefix(`${name}:`, VARIANT_SEED);
      const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
      const first = variants[0];
      flags[name] = {
        disabled: false,
        variants: Object.fromEntries(variants.map((variant) => [variant.name, variant.name])),
        defaultVariant: first.name,
        contextEvaluator: (context: EvaluationContext) => {
          const bucket = bucketOf(hashWithPrefix(prefix, String(context.targetingKey)), total);
          let counter = 0;
          for (const variant of variants) if ((counter += variant.weight) >= bucket) return variant.name;
          return first.name;
        },
      };
    } else if (strategy?.name === 'flexibleRollout') {
      const prefix = prepareHashPrefix(`${name}:`, STRATEGY_SEED);
      const percentage = Number(strategy.parameters?.rollout);
      const plans = strategy.constraints?.[0]?.values;
      flags[name] = {
        disabled: false,
        variants: { on: true, off: false },
        defaultVariant: 'off',
        contextEvaluator: (context: EvaluationContext) =>
          (plans === undefined || plans.includes(String(context.plan))) &&
          bucketOf(hashWithPrefix(prefix, String(context.targetingKey)), 100) <= percentage
            ? 'on'
            : 'off',
      };
    } else {
      flags[name] = { disabled: false, variants: { on: true, off: false }, defaultVariant: 'on' };
    }
  }
  return flags;
}

/** Target: OpenFeatureModule on InMemoryProvider, @RequireFlagsEnabled on the route, 3 injected evaluations. */
export async function startOpenFeatureSdk(): Promise<RunningServer> {
  @Controller()
  class ProductsController {
    @Get('products')
    @RequireFlagsEnabled({ flags: [{ flagKey: GUARD_FLAG }] })
    async products(
      @BooleanFeatureFlag({ flagKey: ROLLOUT_FLAG, defaultValue: false })
      rollout: Observable<EvaluationDetails<boolean>>,
      @BooleanFeatureFlag({ flagKey: PLAN_FLAG, defaultValue: false })
      plan: Observable<EvaluationDetails<boolean>>,
      @StringFeatureFlag({ flagKey: VARIANT_FLAG, defaultValue: 'disabled' })
      variant: Observable<EvaluationDetails<string>>,
    ) {
      const [rolloutDetails, planDetails, variantDetails] = await Promise.all([
        firstValueFrom(rollout),
        firstValueFrom(plan),
        firstValueFrom(variant),
      ]);
      return {
        products: PRODUCTS,
        rollout: rolloutDetails.value,
        plan: planDetails.value,
        variant: variantDetails.value,
      };
    }
  }
  @Module({
    imports: [
      OpenFeatureModule.forRoot({
        defaultProvider: new InMemoryProvider(inMemoryFlags()),
        contextFactory: (context) => {
          const headers = context
            .switchToHttp()
            .getRequest<{ headers: Record<string, string | undefined> }>().headers;
          return { targetingKey: headers['x-user-id'] ?? '', plan: headers['x-plan'] ?? 'free' };
        },
      }),
    ],
    controllers: [ProductsController],
  })
  class AppModule {}
  const app: INestApplication = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  return {
    url: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
    close: async () => {
      await app.close();
      await OpenFeature.close();
    },
  };
}
