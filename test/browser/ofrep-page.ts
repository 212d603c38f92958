/// <reference lib="dom" />
// The page script of the OFREP browser test, bundled by esbuild when the test starts: OpenFeature's web SDK with
// its OFREP provider, pointed at the app that served the page. It claims to be someone else on a pro plan (the
// app must not believe it), then lists what the SDK answers for each flag the page asks about.
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { OpenFeature } from '@openfeature/web-sdk';

const asked = JSON.parse(document.body.dataset.flags ?? '[]') as string[];
await OpenFeature.setContext({ targetingKey: 'u1', plan: 'pro' });
await OpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl: location.origin, pollInterval: 0 }));
const client = OpenFeature.getClient();
const list = document.getElementById('flags')!;
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
document.body.dataset.ready = 'yes';
