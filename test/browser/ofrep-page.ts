/// <reference lib="dom" />
// The page script of the OFREP browser test, bundled by esbuild when the test starts: OpenFeature's web SDK with
// its OFREP provider on its defaults, pointed at the app that served the page. It claims to be someone else on a
// pro plan (the app must not believe it), then lists what the SDK answers for each flag the page asks about, again
// each time the provider says the flags changed.
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';

const asked = JSON.parse(document.body.dataset.flags ?? '[]') as string[];
await OpenFeature.setContext({ targetingKey: 'u1', plan: 'pro' });
// The provider's defaults: no polling, a cache persisted in localStorage served first, a refetch whenever the
// page becomes visible again, and event streams when the server offers them.
await OpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl: location.origin }));
const client = OpenFeature.getClient();
const list = document.getElementById('flags')!;

let renders = 0;
function render(): void {
  list.replaceChildren();
  for (const key of asked) {
    const details = client.getBooleanDetails(key, false);
    const item = document.createElement('li');
    item.dataset.flag = key;
    item.dataset.value = String(details.value);
    item.dataset.reason = details.reason ?? '';
    if (details.errorCode) item.dataset.error = details.errorCode;
    item.textContent = `${key}: ${details.value}`;
    list.append(item);
  }
  const copy = client.getStringDetails('checkout-copy', 'none');
  document.getElementById('copy')!.textContent = copy.value;
  renders += 1;
  document.body.dataset.renders = String(renders);
}

render();
OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, render);
document.body.dataset.ready = 'yes';
