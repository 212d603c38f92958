// GitLab's Unleash-compatible API, played by a loopback server that authenticates like lib/api/unleash.rb:
// the UNLEASH-INSTANCEID header must match, otherwise 401 with GitLab's body. The answers flagwise gives
// for the served flags must equal what unleash-client 6.12.1 answered for the same payload and contexts.
import { createFlags, FlagwiseError } from '@flagwise/core';
import { describe, expect, it } from 'vitest';
import unauthorizedBody from '../../../test/fixtures/gitlab/gitlab-401-body.json' with { type: 'json' };
import expected from '../../../test/fixtures/gitlab/gitlab-client-features.expected.json' with {
  type: 'json',
};
import features from '../../../test/fixtures/gitlab/gitlab-client-features.json' with { type: 'json' };
import { normalizeGitlabPayload } from '../src/gitlab-source.js';
import { gitlabSource } from '../src/index.js';
import { clientOnLoopback, itAnswersAsUnleashClient } from './helpers/expected-answers.js';
import { recordingLogger, startLoopbackServer } from './helpers/loopback-server.js';

const INSTANCE_ID = 'glffct-Zq3xYw9_Ab-CdEfGhIjK';
const PROJECT_PATH = '/api/v4/feature_flags/unleash/42';

function gitlabLike() {
  return (request: { path: string; headers: Record<string, unknown> }) => {
    if (request.headers['unleash-instanceid'] !== INSTANCE_ID) return { status: 401, body: unauthorizedBody };
    if (request.path === `${PROJECT_PATH}/client/features`) {
      // GitLab serves per environment, named by the app name; without one it answers an empty list.
      return request.headers['unleash-appname'] === expected.staticContext.appName
        ? { status: 200, body: features }
        : { status: 200, body: { version: 1, features: [] } };
    }
    return { status: 404, body: { message: '404 Not Found' } };
  };
}

describe('gitlabSource against a loopback GitLab', () => {
  const served = clientOnLoopback(
    gitlabLike(),
    (url) =>
      gitlabSource({
        url: `${url}${PROJECT_PATH}`,
        instanceId: INSTANCE_ID,
        environment: expected.staticContext.appName,
        backupPath: false,
      }),
    expected,
  );

  itAnswersAsUnleashClient(expected, () => served.flags, 70);

  it('sends the instance id and the environment as the app name, and no Authorization', () => {
    const fetch = served.server.requests.find((request) => request.path.endsWith('/client/features'));
    expect(fetch?.headers['unleash-instanceid']).toBe(INSTANCE_ID);
    expect(fetch?.headers['unleash-appname']).toBe('production');
    expect(fetch?.headers.authorization).toBeUndefined();
  });

  it('neither registers nor sends metrics by default (GitLab discards them)', async () => {
    served.flags.isEnabled('dark_mode', {});
    await served.flags.close();
    expect(served.server.requests.filter((request) => request.method === 'POST')).toEqual([]);
  });
});

describe('gitlabSource failures', () => {
  it('a wrong instance id gives status failed and a message naming the instance id', async () => {
    const server = await startLoopbackServer(gitlabLike());
    const { logger } = recordingLogger();
    const source = gitlabSource({
      url: `${server.url}${PROJECT_PATH}`,
      instanceId: 'glffct-wrongwrongwrongwrong',
      environment: 'production',
      backupPath: false,
    });
    const flags = createFlags({ source, logger });
    try {
      const failure = await flags.ready({ timeoutMs: 5_000 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(FlagwiseError);
      expect((failure as FlagwiseError).code).toBe('UNAUTHORIZED');
      expect((failure as Error).message).toMatch(
        /answered 401 to the instance id glffct-\*\*\*: .*UNLEASH_INSTANCE_ID/,
      );
      // not one character of the id after GitLab's prefix
      expect((failure as Error).message).not.toMatch(/glffct-[^*]/);
      expect(flags.status).toBe('failed');
      expect(source.status).toBe('failed');
      expect(flags.isEnabled('dark_mode', {})).toBe(false);
    } finally {
      await flags.close();
      await server.close();
    }
  });

  it('warns once when GitLab serves no flags for the environment', async () => {
    const server = await startLoopbackServer(gitlabLike());
    const source = gitlabSource({
      url: `${server.url}${PROJECT_PATH}/`,
      instanceId: INSTANCE_ID,
      environment: 'Production',
      backupPath: false,
    });
    const warnings: string[] = [];
    source.subscribe((event) => {
      if (event.type === 'warn') warnings.push(event.message);
    });
    try {
      await source.start({ logger: recordingLogger().logger });
      expect(source.current()?.features).toEqual([]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/no flags for environment "Production".*UNLEASH_APP_NAME/);
    } finally {
      await source.stop();
      await server.close();
    }
  });

  it.each([
    [
      'https://gitlab.example.com/api/v4/projects/42',
      /must be the "API URL".*\/api\/v4\/feature_flags\/unleash\/<project id>/,
    ],
    [
      'https://gitlab.example.com/api/v4/feature_flags/unleash/group%2Fproject',
      /numeric project id.*group\/project/,
    ],
  ])('rejects the URL %s with a message that says where to find the right one', (url, message) => {
    expect(() => gitlabSource({ url, instanceId: INSTANCE_ID })).toThrow(message);
  });

  it('rejects a missing instance id', () => {
    expect(() => gitlabSource({ url: `https://gitlab.example.com${PROJECT_PATH}`, instanceId: '' })).toThrow(
      /instanceId \}\) is required.*Instance ID/,
    );
  });
});

describe('normalizeGitlabPayload', () => {
  it('reads a raw gitlabUserList strategy as the userWithId GitLab normally sends', () => {
    const payload = {
      version: 1,
      features: [
        {
          name: 'beta',
          enabled: true,
          strategies: [{ name: 'gitlabUserList', parameters: { userIds: '1,2' } }],
        },
      ],
    };
    expect(normalizeGitlabPayload(payload).features[0]?.strategies).toEqual([
      { name: 'userWithId', parameters: { userIds: '1,2' } },
    ]);
    expect(normalizeGitlabPayload(features)).toBe(features);
  });
});
