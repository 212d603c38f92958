// The demo's front end: unleash-proxy-client (window.unleash, served by the app from node_modules) against the
// app's own Unleash Frontend API. The same code works against Unleash or Unleash Edge.
const { UnleashClient } = window.unleash;
const list = document.getElementById('browser-flags');

const client = new UnleashClient({
  // A full URL: unleash-proxy-client parses it with `new URL(url)`, which needs an origin.
  url: `${window.location.origin}/api/frontend`,
  clientKey: document.body.dataset.clientKey,
  appName: document.body.dataset.appName,
  refreshInterval: 2,
});

function render() {
  const items = client.getAllToggles().map((toggle) => {
    const item = document.createElement('li');
    item.dataset.flag = toggle.name;
    item.dataset.enabled = String(client.isEnabled(toggle.name));
    item.dataset.variant = toggle.variant.name;
    const name = document.createElement('code');
    name.textContent = toggle.name;
    const state = document.createElement('span');
    state.className = 'on';
    state.textContent = ' ON';
    item.append(name, state);
    if (toggle.variant.enabled) item.append(` (variant ${toggle.variant.name})`);
    return item;
  });
  if (items.length === 0) items.push(Object.assign(document.createElement('li'), { textContent: 'none' }));
  list.replaceChildren(...items);
  list.dataset.state = 'ready';
}

client.on('ready', render);
client.on('update', render);
client.on('error', (error) => {
  list.dataset.state = 'error';
  list.textContent = `the frontend API answered with an error: ${JSON.stringify(error)}`;
});
client.start();
