// The demo's root module: FeatureFlagsModule on the client main.ts made, and the demo page.
import { BROWSER_FLAGS, FRONTEND_CLIENT_KEY } from '@flagwise/example-browser-pages';
import {
  FeatureFlagsModule,
  type FlagsClient,
  FlagsDashboardModule,
  FlagsFrontendApiModule,
  FlagsOfrepModule,
} from '@flagwise/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { BrowserPagesController } from './browser-pages.controller.js';
import { DemoController, isLocal } from './demo.controller.js';
import { DemoLoginGuard } from './demo-login.guard.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: Nest modules are classes
export class AppModule {
  /**
   * @example
   * NestFactory.create(AppModule.withClient(createFlags({ source: fileSource('flags.yaml') })))
   */
  static withClient(client: FlagsClient): DynamicModule {
    return {
      module: AppModule,
      imports: [
        FeatureFlagsModule.forRoot({ client }),
        // The flags dashboard, for this machine only: every flag for your request, forcing them in your browser.
        FlagsDashboardModule.forRoot({ path: '_flags', allow: isLocal }),
        // The browser pages' endpoints, live through their event streams.
        FlagsFrontendApiModule.forRoot({ clientKeys: [FRONTEND_CLIENT_KEY], expose: BROWSER_FLAGS }),
        FlagsOfrepModule.forRoot({ expose: BROWSER_FLAGS }),
      ],
      controllers: [DemoController, BrowserPagesController],
      // The demo's login runs before every route, flagwise's endpoints included, as passport's guard would.
      providers: [{ provide: APP_GUARD, useClass: DemoLoginGuard }],
    };
  }
}
