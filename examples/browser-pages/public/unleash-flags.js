// The front end on unleash-proxy-client (window.unleash, served by the app from node_modules) against the app's
// own Unleash Frontend API. unleash-proxy-client has no push of its own: the page listens to the Frontend API's
// event stream and calls client.updateToggles() on each `refetchEvaluation`; should the stream be refused, it
// polls every 30 seconds instead (the client's own default interval). The same code works against Unleash or
// Unleash Edge, which have no stream: there the page polls.
const { UnleashClient } = window.unleash;
const list = document.getElementById('browser-flags');
const POLL_FALLBACK_MS = 30_000;
/** a hidden tab lets go of its stream after this long, as OpenFeature's web provider does */
const INACTIVITY_MS = 120_000;

const client = new UnleashClient({
  // A full URL: unleash-proxy-client parses it with `new URL(url)`, which needs an origin.
  url: `${window.location.origin}/api/frontend`,
  clientKey: document.body.dataset.clientKey,
  appName: document.body.dataset.appName,
  // Refreshed on the stream's notices instead of on a timer.
  disableRefresh: true,
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

let events;
let polling = false;
let started = false;
// The stream opens first, so no change between the first fetch and the stream goes unheard.
function startOnce() {
  if (started) return;
  started = true;
  client.start();
}

function follow() {
  events = new EventSource('/api/frontend/events');
  events.addEventListener('open', startOnce);
  events.addEventListener('message', (event) => {
    if (JSON.parse(event.data).type === 'refetchEvaluation') void client.updateToggles();
  });
  events.addEventListener('error', () => {
    // CONNECTING: the browser reconnects by itself (and the server catches it up). CLOSED: refused for good.
    if (events.readyState !== EventSource.CLOSED) return;
    startOnce();
    if (polling) return;
    polling = true;
    setInterval(() => client.updateToggles(), POLL_FALLBACK_MS);
  });
}

let hiddenTimer;
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') {
    hiddenTimer = setTimeout(() => {
      events?.close();
      events = undefined;
    }, INACTIVITY_MS);
    return;
  }
  clearTimeout(hiddenTimer);
  if (events === undefined) {
    follow();
    void client.updateToggles();
  }
});

follow();
