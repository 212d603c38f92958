// Each reload lets go of the flags before it: a long-running app that changes its flags all day keeps one set in
// memory, not every set it ever loaded.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { createFlags, memorySource } from '../../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

it('lets go of the definitions of a reload once later ones have swapped in', async () => {
  const source = memorySource({ flags: { beta: { users: ['user-0'] }, checkout: { rollout: 50 } } });
  const client = createFlags({ source, logger: false });
  await client.ready();
  source.set('beta', { users: ['user-1'] });
  const earlier = new WeakRef(client.definitions());
  for (let i = 2; i <= 20; i++) source.set('beta', { users: [`user-${i}`] });
  expect(client.isEnabled('beta', { userId: 'user-20' })).toBe(true);

  await nextTurn();
  gc();
  await nextTurn();
  expect(earlier.deref()).toBeUndefined();
  await client.close();
});
