// `hack/images` — the harness's registry-free OCI images (see recipes.ts).
//   hack/images build [NAME…]                        build what is missing (cached by recipe hash)
//   hack/images list                                 each image's reference, archive and whether it is built
//   hack/images import --address SOCK [NAME…]        build if needed, then ctr images import into that containerd
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureImages, imageArchive } from './build.ts';
import { importImages } from './import.ts';
import { IMAGE_NAMES, type ImageName, imageRef } from './recipes.ts';

const USAGE = 'usage: hack/images build|list|import [--address SOCK] [NAME…]   (names: ' + IMAGE_NAMES.join(', ') + ')';

function names(positionals: string[]): ImageName[] {
  if (positionals.length === 0) return IMAGE_NAMES;
  for (const n of positionals) if (!(IMAGE_NAMES as string[]).includes(n)) throw new Error(`unknown image "${n}": ${IMAGE_NAMES.join(', ')}`);
  return positionals as ImageName[];
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { address: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const [verb, ...rest] = positionals;
  if (values.help || !verb) {
    console.log(USAGE);
    return verb || values.help ? 0 : 2;
  }
  switch (verb) {
    case 'build': {
      const started = Date.now();
      const archives = await ensureImages(names(rest));
      for (const [n, file] of Object.entries(archives)) console.log(`${imageRef(n as ImageName)}\t${file}\t${(statSync(file).size / 1e6).toFixed(1)} MB`);
      console.error(`images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'list':
      for (const n of names(rest)) console.log(`${imageRef(n)}\t${imageArchive(n)}\t${existsSync(imageArchive(n)) ? 'built' : 'not built'}`);
      return 0;
    case 'import':
      if (!values.address) throw new Error('import needs --address (the containerd socket of a node)');
      await importImages(values.address, names(rest));
      return 0;
    default:
      console.error(`unknown command "${verb}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
