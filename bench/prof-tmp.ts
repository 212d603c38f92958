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
import { compileFlags } from '@flagwise/core';
const compiled = compileFlags({ version: 2, features: definitions() });
const stages: Record<string, (n: number) => void> = {
  hand(n) { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const c = { remoteAddress: r.ip, ...hook(r) }; r.flags = c; if (compiled.isEnabled('flag-000', c)) { if (compiled.isEnabled('flag-001', c)) sink++; if (compiled.isEnabled('flag-002', c)) sink++; if (compiled.getVariant('flag-003', c).name === 'x') sink++; } } },
  create(n) { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; r.flags = mk(r); } },
  guard(n) { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = mk(r); r.flags = flags; if (flagAllows(flags, GUARD_FLAG)) sink++; } },
  props(n) { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = mk(r); r.flags = flags; if (flagAllows(flags, GUARD_FLAG)) sink++; if (flags.flag001) sink++; if (flags.flag002) sink++; } },
  all(n) { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = mk(r); r.flags = flags; if (flagAllows(flags, GUARD_FLAG)) { const x = readThrough(flags); if (x.rollout) sink++; } } },
};
const { createRequestFlags } = await import('../packages/core/src/request/flags-object.ts');
const snap = () => (client as any).loader.snapshot;
const host = (client as any).requestHost;
stages.direct = (n) => { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = createRequestFlags(snap(), { remoteAddress: r.ip, ...hook(r) }, undefined, host) as any; r.flags = flags; if (flagAllows(flags, GUARD_FLAG)) { const x = readThrough(flags); if (x.rollout) sink++; } } };
stages.directNoGuard = (n) => { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = createRequestFlags(snap(), { remoteAddress: r.ip, ...hook(r) }, undefined, host) as any; r.flags = flags; if (flags.flag000) { const x = readThrough(flags); if (x.rollout) sink++; } } };
stages.variantOnly = (n) => { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = createRequestFlags(snap(), { remoteAddress: r.ip, ...hook(r) }, undefined, host) as any; r.flags = flags; if (flags.variant('flag-003').name === 'x') sink++; } };
stages.createOnly = (n) => { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = createRequestFlags(snap(), { remoteAddress: r.ip, ...hook(r) }, undefined, host) as any; r.flags = flags; } };
stages.handVariant = (n) => { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const c = { remoteAddress: r.ip, ...hook(r) }; r.flags = c; if (compiled.getVariant('flag-003', c).name === 'x') sink++; } };
stages.handCtx = (n) => { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const c = { remoteAddress: r.ip, ...hook(r) }; r.flags = c; } };
const { requestContext } = await import('../packages/core/src/request/context.ts');
stages.directRC = (n) => { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; const flags = createRequestFlags(snap(), requestContext(r, reader.inputOf(r), hook) as any, undefined, host) as any; r.flags = flags; if (flagAllows(flags, GUARD_FLAG)) { const x = readThrough(flags); if (x.rollout) sink++; } } };
stages.rcOnly = (n) => { for (let i = 0; i < n; i++) { const r = reqs[i % 50]; r.flags = requestContext(r, reader.inputOf(r), hook); } };
const name = process.argv[2];
stages[name](200000);
const s: number[] = [];
for (let k = 0; k < 7; k++) { const t = process.cpuUsage(); stages[name](100000); const d = process.cpuUsage(t); s.push((d.user + d.system) * 1000 / 100000); }
s.sort((a,b)=>a-b); console.log(name, s[3].toFixed(0));
process.exit(0);
