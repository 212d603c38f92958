// A FlagRegistry narrows flag names in the decorators, as in every other guard, and the properties of @Flags().

import { FeatureRequired, Flags, type RequestFlags, VariantRequired } from '@flagwise/nestjs';
import { Controller, Get } from '@nestjs/common';

declare module '@flagwise/core' {
  interface FlagRegistry {
    'new-pricing': true;
    'checkout-copy': true;
  }
}

@Controller('pricing')
@FeatureRequired('new-pricing')
export class PricingController {
  @Get()
  @VariantRequired('checkout-copy', ['short'])
  show(@Flags() flags: RequestFlags) {
    // @ts-expect-error not a declared flag
    flags.newPricng;
    return { on: flags.newPricing, copy: flags.variant('checkout-copy').name };
  }

  // @ts-expect-error not a declared flag
  @FeatureRequired('new-pricng')
  @Get('typo')
  typo() {
    return 'typo';
  }

  // @ts-expect-error not a declared flag
  @VariantRequired('checkout-cpy', ['short'])
  @Get('variant-typo')
  variantTypo() {
    return 'typo';
  }
}
