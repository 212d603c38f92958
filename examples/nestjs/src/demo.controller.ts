// The demo page: its look follows four flags, and it lists each flag's state and the reason for it.
import { FeatureFlagsService, Flags, type RequestFlags } from '@flagwise/nestjs';
import { Controller, Get, Inject, Render, Req, UseGuards } from '@nestjs/common';
import { DemoLoginGuard } from './demo-login.guard.js';

/** The flags this page uses, and what each one does to it. */
export const DEMO_FLAGS = {
  dark_mode: 'turns the page dark',
  holiday_banner: 'shows a holiday banner',
  new_layout: 'shows these flags as cards instead of a table (half of the users)',
  beta_banner: 'welcomes the beta testers (a list of users)',
} as const;

export const DEMO_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const;

/**
 * Who may open the dashboard and force flags from their browser: visitors on this machine only.
 * @example createFlags({ source, overrides: { secret, allow: isLocal } })
 */
export function isLocal(request: { ip?: string }): boolean {
  return request.ip === '127.0.0.1' || request.ip === '::1' || request.ip === '::ffff:127.0.0.1';
}

@Controller()
@UseGuards(DemoLoginGuard)
export class DemoController {
  // @Inject by class: this example runs on tsx (esbuild), which emits no decorator metadata.
  constructor(@Inject(FeatureFlagsService) private readonly service: FeatureFlagsService) {}

  /** The view gets `flags` by itself; the rows add each flag's reason for this user. */
  @Get()
  @Render('index')
  index(@Flags() flags: RequestFlags, @Req() request: { ip?: string }) {
    const rows = Object.entries(DEMO_FLAGS).map(([name, effect]) => {
      const explanation = flags.explain(name);
      return {
        name,
        effect,
        enabled: explanation.enabled,
        reason: explanation.reason,
        detail: explanation.detail,
      };
    });
    return {
      user: flags.context.userId,
      users: DEMO_USERS,
      rows,
      // toJSON() keeps only `browser: true` flags; escaped for a <script> block.
      browserFlags: JSON.stringify(flags).replace(/</g, '\\u003c'),
      source: this.service.client.source.name,
      status: this.service.status,
      // The page follows flag changes live through the dashboard's event stream, which only local visitors see.
      live: isLocal(request),
    };
  }
}
