// The demo's root module: FeatureFlagsModule on the client main.ts made, and the demo page.
import { FeatureFlagsModule, type FlagsClient, FlagsDashboardModule } from '@flagwise/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import { DemoController, isLocal } from './demo.controller.js';

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
      ],
      controllers: [DemoController],
    };
  }
}
