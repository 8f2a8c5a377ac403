// `npm run bench`: every benchmark under bench/, one after another (they share the machine's
// cores, so never two at once). Each prints its own ratios against a baseline of the same run.
//   npm run bench [-- NAME ...]   e.g. npm run bench -- model fuzz
import { readdirSync } from 'node:fs';
import { execa } from 'execa';

const dir = new URL('./', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
if (benches.length === 0) {
  process.stderr.write(`bench: no benchmark named ${wanted.join(', ')}; expected some of ${readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).join(', ')}\n`);
  process.exit(1);
}
let failed = 0;
for (const name of benches) {
  process.stderr.write(`\n== ${name} ==\n`);
  const r = await execa('node', ['--import', 'tsx', `${dir}${name}.bench.ts`], { stdio: 'inherit', reject: false });
  if (r.exitCode !== 0) failed++;
}
process.exit(failed ? 1 : 0);
