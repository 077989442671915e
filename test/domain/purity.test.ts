import fs from 'node:fs';
import path from 'node:path';

/**
 * The domain rules run inside workflow code, which Temporal replays: they must not do I/O or read
 * the clock, or a replay could decide differently from the original run.
 */
const DOMAIN_DIR = path.join(__dirname, '..', '..', 'domain');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

const ALLOWED_PACKAGES = ['zod', 'luxon'];
const CLOCK_READS = [
  /Date\.now\(/,
  /new Date\(\s*\)/,
  /DateTime\.(now|local)\(/,
  /performance\.now\(/,
  /Math\.random\(/,
];

const files = sourceFiles(DOMAIN_DIR).map((file) => ({
  file,
  name: path.relative(DOMAIN_DIR, file),
  source: fs.readFileSync(file, 'utf8'),
}));

test('there are domain modules to check', () => {
  expect(files.length).toBeGreaterThan(10);
});

test.each(files)(
  'domain/$name imports only other domain modules, shipped JSON data, zod and luxon',
  ({ file, source }) => {
    const imported = [...source.matchAll(/from\s+'([^']+)'/g)].map((match) => match[1]!);
    const packages = imported.filter((specifier) => !specifier.startsWith('.'));
    // Shipped data (config/*.json) is bundled with the code: reading it is no I/O and replays alike.
    const outsideDomain = imported
      .filter((specifier) => specifier.startsWith('.') && !/^\.\.\/config\/[\w-]+\.json$/.test(specifier))
      .filter((specifier) => !path.resolve(path.dirname(file), specifier).startsWith(DOMAIN_DIR + path.sep));
    expect(packages.filter((specifier) => !ALLOWED_PACKAGES.includes(specifier))).toEqual([]);
    expect(outsideDomain).toEqual([]);
  },
);

test.each(files)('domain/$name never reads the clock or a random source', ({ source }) => {
  const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  expect(CLOCK_READS.filter((pattern) => pattern.test(code)).map(String)).toEqual([]);
});
