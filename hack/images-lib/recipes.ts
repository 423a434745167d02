// What the harness's images are made of. A recipe (with the files it copies in) is the whole cache
// key of its image: change a package, a file or RECIPE_FORMAT and the image is rebuilt.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheVersion, COMPONENTS, type ComponentName } from '../harness/versions.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Bumped when the build procedure itself (not a recipe) changes what an image contains. */
export const RECIPE_FORMAT = 1;
/** Debian release every image is built from; also the tag of every image. */
export const SUITE = 'bookworm';
/** Not a registry: a name nothing can be pulled from, so images only ever come from `ctr import`. */
export const IMAGE_PREFIX = 'kubectl-velero.local';

export interface ImageRecipe {
  name: string;
  /**
   * `debian`: debootstrap --variant=minbase of SUITE plus `packages` (apt-get, no recommends).
   * `pause`: a static Go binary (pause/main.go) alone in an empty root filesystem.
   */
  base: 'debian' | 'pause';
  packages: string[];
  /** Run with sh -c in the chroot after the packages are installed. */
  postInstall?: string;
  /** Files copied into the image: target path → file under hack/images-lib/. */
  files: Record<string, string>;
  /** Harness Go binaries copied into the image (built first if needed): target path → component. */
  binaries?: Record<string, ComponentName>;
  config: { entrypoint?: string[]; cmd?: string[]; env?: string[]; user?: string; workdir?: string };
}

export const RECIPES = {
  pause: {
    name: 'pause',
    base: 'pause',
    packages: [],
    files: { '/pause': 'pause/main.go' },
    config: { entrypoint: ['/pause'], user: '65535:65535' },
  },
  tools: {
    name: 'tools',
    base: 'debian',
    // minbase already has sh, bash, tar, gzip, coreutils, findutils, grep and sed; socat is for
    // network tests; zstd lets the snapshot mover compress in the pod (bench-snapshots).
    packages: ['procps', 'socat', 'zstd'],
    files: {},
    config: { cmd: ['/bin/sh'], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
  },
  // The base of the plugin's own image (make image): libstdc++ for the Node.js executable, CA
  // certificates for the object stores and API servers it talks to, nothing else.
  runtime: {
    name: 'runtime',
    base: 'debian',
    packages: ['ca-certificates'],
    files: {},
    config: { env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
  },
  postgres: {
    name: 'postgres',
    base: 'debian',
    packages: ['postgresql-15'],
    // JIT is off in the entrypoint's config, so LLVM (a third of the image) can go.
    postInstall: 'rm -rf /usr/lib/llvm-14 /usr/lib/x86_64-linux-gnu/libLLVM-14.so* /usr/lib/aarch64-linux-gnu/libLLVM-14.so* /usr/lib/postgresql/15/lib/llvmjit* /usr/lib/postgresql/15/lib/bitcode',
    files: { '/usr/local/bin/kv-entrypoint': 'files/postgres-entrypoint.sh' },
    config: {
      entrypoint: ['/usr/local/bin/kv-entrypoint'],
      env: ['PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'PGDATA=/var/lib/postgresql/data/pgdata', 'LANG=C.UTF-8'],
    },
  },
  // FerretDB v1 on SQLite (a MongoDB-compatible database), with sqlite3 for the backup hooks'
  // consistent snapshot (VACUUM INTO) and the restore's swap of it into place.
  ferretdb: {
    name: 'ferretdb',
    base: 'debian',
    packages: ['sqlite3'],
    files: {},
    binaries: { '/usr/local/bin/ferretdb': 'ferretdb' },
    config: {
      entrypoint: ['/usr/local/bin/ferretdb', '--sqlite-url=file:/state/', '--listen-addr=:27017'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    },
  },
  mariadb: {
    name: 'mariadb',
    base: 'debian',
    packages: ['mariadb-server', 'mariadb-client'],
    files: { '/usr/local/bin/kv-entrypoint': 'files/mariadb-entrypoint.sh' },
    config: {
      entrypoint: ['/usr/local/bin/kv-entrypoint'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'MARIADB_DATADIR=/var/lib/mysql/data', 'LANG=C.UTF-8'],
    },
  },
} as const satisfies Record<string, ImageRecipe>;

export type ImageName = keyof typeof RECIPES;
export const IMAGE_NAMES = Object.keys(RECIPES) as ImageName[];
/**
 * What every node gets at start. Not `runtime` (only the plugin's own image is built on it) nor
 * `ferretdb` (its Go build takes minutes: the tests that use it import it themselves).
 */
export const NODE_IMAGES: ImageName[] = IMAGE_NAMES.filter((n) => n !== 'runtime' && n !== 'ferretdb');

export function sourcePath(file: string): string {
  return join(here, file);
}

/** The reference pods use (with imagePullPolicy: Never). */
export function imageRef(name: ImageName): string {
  return `${IMAGE_PREFIX}/${name}:${SUITE}`;
}

/** Hash of everything that decides an image's content. */
export function recipeHash(name: ImageName): string {
  const recipe: ImageRecipe = RECIPES[name];
  const h = createHash('sha256');
  h.update(JSON.stringify({ format: RECIPE_FORMAT, suite: SUITE, recipe }));
  for (const file of Object.values(recipe.files).sort()) h.update(`\0${file}\0`).update(readFileSync(sourcePath(file)));
  for (const component of Object.values(recipe.binaries ?? {}).sort()) h.update(`\0${component}@${cacheVersion(COMPONENTS[component])}\0`);
  return h.digest('hex').slice(0, 16);
}
