// What the fragments of @flagwise/nestjs's README take from its other snippets and from the app around them:
// the app's modules, and an authentication guard factory shaped like @nestjs/passport's AuthGuard.
import { FeatureFlagsModule } from '@flagwise/nestjs';
import { type CanActivate, type ExecutionContext, Injectable, Module, type Type } from '@nestjs/common';

export { FeatureRequired } from '@flagwise/nestjs';
export { Controller, UseGuards } from '@nestjs/common';
export { Test } from '@nestjs/testing';

@Module({})
export class CheckoutModule {}

@Module({ imports: [FeatureFlagsModule.forRoot({}), CheckoutModule] })
export class AppModule {}

export function AuthGuard(strategy: string): Type<CanActivate> {
  @Injectable()
  class StrategyGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      const request = context.switchToHttp().getRequest<{ user?: { strategy: string } }>();
      return request.user?.strategy === strategy;
    }
  }
  return StrategyGuard;
}
