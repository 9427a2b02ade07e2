// `npm run bench`: runs every bench/<area>.ts that exports `run()`, or only those named on the command line
// (`npm run bench -- lm decoder`; `npm run bench -- soak --minutes 5` for a longer soak). Benchmarks print their own numbers; none of this is part of `npm test`.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// Options of one bench (`-- soak --minutes 5`) are not area names.
const wanted = process.argv.slice(2).filter((a, i, all) => !a.startsWith('-') && !all[i - 1]?.startsWith('-'));
const areas = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  // The soak runs for minutes: only when named.
  .filter((a) => (wanted.length === 0 && a !== 'soak') || wanted.includes(a))
  .sort();

for (const area of areas) {
  const mod = (await import(pathToFileURL(path.join(here, `${area}.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') continue;
  console.log(`\n## ${area}`);
  await mod.run();
}
