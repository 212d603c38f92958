// The Fastify demo, run as `pnpm demo:fastify` runs it, plus a missing flags file at startup.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeDemo } from './demo-suite.js';

describeDemo({
  title: 'examples/fastify (pnpm demo:fastify)',
  example: 'fastify',
  entry: 'src/server.ts',
  more: ({ exampleDir, workDir, entry }) => {
    it('stops at startup with one line when the flags file is missing', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', entry], {
        cwd: exampleDir,
        env: {
          ...process.env,
          PORT: '0',
          UNLEASH_URL: '',
          FLAGWISE_FLAGS_FILE: path.join(workDir(), 'missing.yaml'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const [code] = await once(child, 'exit');
      expect(code).toBe(1);
      const ours = stderr
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('flagwise demo:'));
      expect(ours).toHaveLength(1);
      expect(ours[0]).toMatch(/^flagwise demo: .*missing\.yaml: no such file/);
    });
  },
});
