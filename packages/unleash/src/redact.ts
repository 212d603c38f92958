// What a message may show of a credential: Unleash URLs can carry one (`https://user:pass@host/api`,
// `?token=…`), and tokens and GitLab instance ids are secrets. Everything flagwise prints or emits about a
// server goes through these.

/** `scheme://` up to the next whitespace, quote, angle bracket or parenthesis: a URL inside a message. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>(){}]+/gi;
/** `user:pass@` at the start of a word, as in a URL whose scheme was left out. */
const BARE_USERINFO = /(^|[\s"'`(<[])[^\s"'`/@()<>[\]]+:[^\s"'`/@()<>[\]]*@/g;
const HIDDEN = '***';

/**
 * Hides the credentials of every URL in a text: the user name and password (`https://***@host`), the value of
 * every query parameter (`?token=***`) and the fragment. Everything else, and text that is not a URL, stays.
 * @example
 * redactUrls('https://user:s3cret@unleash.example.com/api?token=abc')   // 'https://***@unleash.example.com/api?token=***'
 * redactUrls('GET http://u:p@127.0.0.1:4242/api/client/features failed') // 'GET http://***@127.0.0.1:4242/api/client/features failed'
 */
export function redactUrls(text: string): string {
  return String(text)
    .replace(URL_IN_TEXT, redactOneUrl)
    .replace(BARE_USERINFO, (_match, before: string) => `${before}${HIDDEN}@`);
}

function redactOneUrl(text: string): string {
  // A sentence may end right after a URL.
  const trailing = /[.,;:!?]+$/.exec(text)?.[0] ?? '';
  const candidate = trailing ? text.slice(0, -trailing.length) : text;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    // Not parseable: still never show what sits before an @ in its authority, nor a query.
    return `${candidate.replace(/^([^:]+:\/\/)[^/?#]*@/, `$1${HIDDEN}@`).replace(/([?#]).*$/, `$1${HIDDEN}`)}${trailing}`;
  }
  const hasUserinfo = url.username !== '' || url.password !== '';
  const query = [...url.searchParams.keys()].map((name) => `${encodeURIComponent(name)}=${HIDDEN}`).join('&');
  const authority = `${hasUserinfo ? `${HIDDEN}@` : ''}${url.host}`;
  const origin = url.host === '' ? `${url.protocol}` : `${url.protocol}//${authority}`;
  return `${origin}${url.pathname}${query ? `?${query}` : url.search}${url.hash ? `#${HIDDEN}` : ''}${trailing}`;
}

/**
 * Shows enough of a token or instance id to recognise which one it is, never any of its secret part: the
 * `<projects>:<environment>.` an Unleash API token starts with, `user:` of a personal access token, `glffct-` of
 * a GitLab instance id; nothing of any other shape.
 * @example
 * redactSecret('default:production.v2_AbC_dEf')   // 'default:production.***'
 * redactSecret('glffct-Zq3xYw9_Ab-CdEfGhIjK')      // 'glffct-***'
 * redactSecret('some-opaque-credential')          // '***'
 */
export function redactSecret(secret: string): string {
  const known = /^(glffct-|user:|[^\s.:]*:[^\s.:]*\.)/.exec(String(secret));
  return `${known?.[1] ?? ''}${HIDDEN}`;
}
