// flagwise refs, run as a child process: the fixture app that reads flags every supported way, a misspelled
// guard, the four examples, the output formats, and trees with links, FIFOs, devices and huge files.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtBin, fixtures, repoRoot } from './bin.js';

const bin = builtBin('refs');

const app = join(fixtures, 'app');
const refs = (cwd: string, ...args: string[]) => bin.run(['refs', ...args], { cwd });

interface Reference {
  written: string;
  flag?: string;
  via: string;
  file: string;
  line: number;
  column: number;
}

describe('flagwise refs', () => {
  it('finds every way the fixture app reads a flag, and nothing else', async () => {
    const { code, stdout } = await refs(app, '--format', 'json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { references: Reference[] };
    expect(
      report.references.map(
        ({ file, line, column, flag, via }) => `${file}:${line}:${column} ${flag} ${via}`,
      ),
    ).toEqual([
      'src/express.ts:5:54 new-pricing req.flags',
      'src/express.ts:6:33 beta-page requireFeature()',
      'src/express.ts:7:37 checkout-copy requireVariant()',
      'src/express.ts:8:56 dark-mode getFlags()',
      'src/express.ts:13:31 search-v2 isEnabled()',
      'src/fastify.ts:4:39 fastify-only config: { feature }',
      'src/fastify.ts:5:51 fastify-prop request.flags',
      'src/koa.ts:6:37 koa-flag ctx.state.flags',
      'src/koa.ts:6:69 koa-variant variant()',
      'src/nest.ts:4:18 nest-feature @FeatureRequired()',
      'src/nest.ts:8:20 checkout-copy @VariantRequired()',
      'src/nest.ts:10:18 nest-prop flags',
      'src/plain.js:3:27 js-flag isEnabled()',
      'views/index.ejs:3:14 ejs-flag template',
      'views/page.hbs:3:13 hbs-flag template',
      'views/page.hbs:4:27 hbs-exact template',
      'views/page.njk:3:13 njk-flag template',
      'views/page.pug:3:10 pug-flag template',
    ]);
  });

  it('warns about flags never referenced and flags past their expires date, with the owner', async () => {
    const { code, stdout } = await refs(app);
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'flags.yaml:20:3: warning: flag "old-banner" is defined but never referenced: a candidate for removal',
      'flags.yaml:21:3: warning: flag "stale-flag" is defined but never referenced: a candidate for removal',
      'flags.yaml:20:3: warning: flag "old-banner" expired on 2020-01-31 (owner: team-web): remove it from the code and the flags file, or move the date',
      '19 flags, 18 references in 9 files: 0 errors, 3 warnings',
      '',
    ]);
    expect((await refs(app, '--strict')).code).toBe(1);
  });

  it('fails on a misspelled requireFeature with the nearest defined name', async () => {
    const { code, stdout } = await refs(join(fixtures, 'typo'));
    expect(code).toBe(1);
    expect(stdout).toContain(
      'src/app.ts:5:36: error: requireFeature() reads "new-pricng", which no flag in flags.yaml defines; did you mean "new-pricing"?',
    );
  });

  it('suggests the flag for a misspelled property of the request flags in a template', async () => {
    const typo = await bin.run(['refs', 'views'], { cwd: join(fixtures, 'typo-template') });
    expect(typo.stdout).toContain(
      'views/index.ejs:1:14: error: template reads "newPricng", which no flag in flags.yaml defines; did you mean "new-pricing"?',
    );
    expect(typo.code).toBe(1);
  });

  it('prints GitHub annotations with --format github', async () => {
    const { code, stdout } = await refs(join(fixtures, 'typo'), '--format', 'github');
    expect(code).toBe(1);
    expect(stdout.trim().split('\n')).toEqual([
      '::error file=src/app.ts,line=5,col=36::requireFeature() reads "new-pricng", which no flag in flags.yaml defines; did you mean "new-pricing"?',
      '::warning file=flags.yaml,line=2,col=3::flag "new-pricing" is defined but never referenced: a candidate for removal',
    ]);
  });

  it.each(['express', 'fastify', 'koa', 'nestjs'])(
    'finds every flag the %s example uses, and no false reference',
    async (example) => {
      const { code, stdout } = await refs(join(repoRoot, 'examples', example), '--format', 'json');
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as { references: Reference[]; problems: unknown[] };
      expect(report.problems).toEqual([]);
      // the four flags of the demo page, each read by the page's template
      expect(report.references.map(({ file, flag, written }) => `${file} ${flag} ${written}`)).toEqual([
        'views/index.ejs dark_mode darkMode',
        'views/index.ejs holiday_banner holidayBanner',
        'views/index.ejs beta_banner betaBanner',
        'views/index.ejs new_layout newLayout',
      ]);
    },
  );

  it.each([
    [['missing-dir'], /^flagwise: cannot read missing-dir: no such file or directory; check the path\n$/],
    [['--format', 'xml'], /^flagwise: --format must be one of text, json, github, got "xml"\n$/],
  ])('bad input %j: one line, exit 2', async (args, message) => {
    const { code, stdout, stderr } = await refs(app, ...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });
});

// generous: a file of 150,000 references takes seconds to parse on a busy machine
describe('flagwise refs on trees with links, FIFOs, devices and huge files', { timeout: 60_000 }, () => {
  let root: string;
  let outside: string;
  const LINK =
    'a symbolic link: links are not followed, so nothing outside the tree or twice inside it is read';
  const REFERENCES = 150_000;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'flagwise-refs-tree-'));
    outside = mkdtempSync(join(tmpdir(), 'flagwise-refs-outside-'));
    writeFileSync(join(outside, 'other.ts'), "isEnabled('outside-flag');\n");
    writeFileSync(join(root, 'flags.yaml'), 'flags:\n  new-pricing: true\n  x: true\n');
    const src = join(root, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'app.ts'), 'export const on = (req) => req.flags.newPricing;\n');
    symlinkSync('..', join(src, 'loop')); // to an ancestor: a cycle
    symlinkSync(outside, join(src, 'outside')); // out of the tree
    symlinkSync('app.ts', join(src, 'again.ts')); // back into the tree
    symlinkSync('/dev/zero', join(src, 'zero.ts')); // endless
    execFileSync('mkfifo', [join(src, 'pipe.ts')]); // never written: a read would wait forever
    writeFileSync(join(src, 'big.js'), `isEnabled('big-flag');\n// ${'x'.repeat(1_200_000)}\n`);
    writeFileSync(join(src, 'many.ts'), `const { flags: f } = req;\n${'f.x;'.repeat(REFERENCES)}\n`);
    const nesting = 200_000;
    writeFileSync(join(src, 'deep.ts'), `export const v = ${'('.repeat(nesting)}1${')'.repeat(nesting)};\n`);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('reads each regular file once, follows no link, and says what it skipped', async () => {
    const { code, stdout, stderr } = await refs(root);
    expect(stderr).toBe('');
    expect(stdout.split('\n')).toEqual([
      `src/again.ts: skipped: ${LINK}`,
      'src/big.js: skipped: 1,200,027 bytes, over the limit of 1,048,576 (raise it with --max-file-size)',
      'src/deep.ts: skipped: nested too deeply for the TypeScript parser',
      `src/loop: skipped: ${LINK}`,
      `src/outside: skipped: ${LINK}`,
      'src/pipe.ts: skipped: not a regular file',
      `src/zero.ts: skipped: ${LINK}`,
      `2 flags, ${REFERENCES + 1} references in 2 files (7 paths skipped): 0 errors, 0 warnings`,
      '',
    ]);
    expect(code).toBe(0);
  });

  it('lists the skipped paths in JSON and as notices on the pull request', async () => {
    const json = await refs(root, '--format', 'json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { references: { file: string }[]; skipped: { file: string }[] };
    expect(report.references).toHaveLength(REFERENCES + 1);
    expect(report.skipped.map((entry) => entry.file)).toEqual([
      'src/again.ts',
      'src/big.js',
      'src/deep.ts',
      'src/loop',
      'src/outside',
      'src/pipe.ts',
      'src/zero.ts',
    ]);
    const github = await refs(root, '--format', 'github');
    expect(github.code).toBe(0);
    expect(github.stdout).toContain('::notice file=src/pipe.ts::skipped: not a regular file\n');
    expect(github.stdout.trim().split('\n')).toHaveLength(7);
  });

  it('reads a file over the limit with a larger --max-file-size', async () => {
    const { code, stdout } = await refs(root, '--max-file-size', '2000000');
    expect(code).toBe(1);
    expect(stdout).toContain(
      `src/big.js:1:11: error: isEnabled() reads "big-flag", which no flag in flags.yaml defines`,
    );
    expect(stdout).not.toContain('src/big.js: skipped');
  });

  it.each([
    ['src/pipe.ts', 'not a regular file'],
    ['src/zero.ts', 'not a regular file'],
  ])('reads %s, named on the command line, only if it is a regular file', async (path, reason) => {
    const { code, stdout } = await refs(root, path);
    expect(code).toBe(0);
    expect(stdout).toContain(`${path}: skipped: ${reason}\n`);
  });

  it('takes an absolute path', async () => {
    const { code, stdout } = await refs(join(fixtures, 'typo'), join(fixtures, 'typo', 'src'));
    expect(code).toBe(1);
    expect(stdout).toContain('src/app.ts:5:36: error: requireFeature() reads "new-pricng"');
  });
});
