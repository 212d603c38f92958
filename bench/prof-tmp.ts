import { createFlags, memorySource } from '@flagwise/core';
import { flagAllows, requestFlagsLater } from '@flagwise/core/adapter';
import { GUARD_FLAG, readThrough, USERS, definitions } from './lib/workload.ts';
const client = createFlags({ source: memorySource({ version: 2, features: definitions() }), logger: false });
await client.ready({ timeoutMs: 5000 });
const reqs = USERS.map((user, i) => ({ ip: '127.0.0.1', headers: { 'x-user-id': user, 'x-plan': i % 3 === 0 ? 'pro' : 'free' } as Record<string,string>, flags: undefined as any }));
const hook = (r: any) => ({ userId: r.headers['x-user-id'], properties: { plan: r.headers['x-plan'] } });
const reader = { inputOf: (r: any) => ({ user: undefined, session: undefined, ip: r.ip }), setCookies() {} };
const prepared = { waiting: undefined };
let sink = 0;
const mk = (r: any) => requestFlagsLater(client, r, undefined, reader as any, hook, undefined, prepared as any) as any;
const stages: Record<string, (n: number) => void> = {
  create(n) { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; r.flags = mk(r); } },
  guard(n) { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = mk(r); r.flags = flags; if (flagAllows(flags, GUARD_FLAG)) sink++; } },
  props(n) { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = mk(r); r.flags = flags; if (flagAllows(flags, GUARD_FLAG)) sink++; if (flags.flag001) sink++; if (flags.flag002) sink++; } },
  all(n) { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = mk(r); r.flags = flags; if (flagAllows(flags, GUARD_FLAG)) { const x = readThrough(flags); if (x.rollout) sink++; } } },
};
const name = process.argv[2];
stages[name](200000);
const s: number[] = [];
for (let k = 0; k < 7; k++) { const t = process.hrtime.bigint(); stages[name](100000); s.push(Number(process.hrtime.bigint() - t) / 100000); }
s.sort((a,b)=>a-b); console.log(name, s[3].toFixed(0));
process.exit(0);
