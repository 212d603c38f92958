// The demo's browser pages: /browser (unleash-proxy-client against the app's Unleash Frontend API) and
// /openfeature (OpenFeature's web SDK with its OFREP provider against the app's OFREP endpoint), live through the
// endpoints' event streams. Their scripts are served in main.ts.
import { browserPageHtml } from '@flagwise/example-browser-pages';
import { Flags, type RequestFlags } from '@flagwise/nestjs';
import { Controller, Get, Res } from '@nestjs/common';

/** What this controller uses of Express's response. */
interface PageResponse {
  type(type: string): PageResponse;
  send(body: string): void;
}

@Controller()
export class BrowserPagesController {
  @Get('browser')
  unleash(@Flags() flags: RequestFlags, @Res() res: PageResponse): void {
    res.type('html').send(browserPageHtml('/browser', flags.context.userId));
  }

  @Get('openfeature')
  openFeature(@Flags() flags: RequestFlags, @Res() res: PageResponse): void {
    res.type('html').send(browserPageHtml('/openfeature', flags.context.userId));
  }
}
