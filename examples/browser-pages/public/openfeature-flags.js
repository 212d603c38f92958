// The front end on OpenFeature's web SDK with its OFREP provider (@openfeature/ofrep-web-provider), on the
// provider's defaults: no polling, a refetch when the tab shows again, and the event stream the app's OFREP
// answer names, so a change to a browser flag shows within a moment. The modules come from node_modules through
// the page's import map.
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';

const list = document.getElementById('browser-flags');
const asked = JSON.parse(list.dataset.flags);

await OpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl: window.location.origin }));
const client = OpenFeature.getClient();

function render() {
  const items = asked.map((flag) => {
    const details = client.getBooleanDetails(flag, false);
    const item = document.createElement('li');
    item.dataset.flag = flag;
    item.dataset.value = String(details.value);
    const name = document.createElement('code');
    name.textContent = flag;
    item.append(name);
    if (details.errorCode === 'FLAG_NOT_FOUND') item.append(' not for the browser');
    else {
      const state = document.createElement('span');
      state.className = details.value ? 'on' : 'off';
      state.textContent = details.value ? ' ON' : ' off';
      item.append(state, ` (${details.reason})`);
    }
    return item;
  });
  list.replaceChildren(...items);
  list.dataset.state = 'ready';
  list.dataset.renders = String(Number(list.dataset.renders ?? 0) + 1);
}

render();
OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, render);
