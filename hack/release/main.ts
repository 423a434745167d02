// `make dist` and friends (run with tsx under the project's Node 24):
//   tsx hack/release/main.ts build [--targets linux/amd64,...] [--uri-base URL]
//       self-contained executables (Node.js SEA) → dist/kubectl-velero_<v>_<os>_<arch>.tar.gz|.zip,
//       dist/SHA256SUMS, krew/velero.yaml (when every target was built), checked by Krew's validator
//   tsx hack/release/main.ts image      the Linux executable of this machine's architecture and the
//       plugin's OCI image around it → dist/kubectl-velero_<v>_linux_<arch>.oci.tar (make image)
//   tsx hack/release/main.ts validate [--manifest FILE]     Krew's validate-krew-manifest -skip-install
//   tsx hack/release/main.ts tools-krew | tools-rcodesign   build the tools into ~/.cache/kubectl-velero
// Environment: KUBECTL_VELERO_RELEASE_URI_BASE (release download URL, default GitHub releases of
// v<version>), SOURCE_DATE_EPOCH (archive timestamps; default the commit's time), RCODESIGN (path
// of rcodesign), DIST_REQUIRE_SIGNING=1 (fail instead of leaving macOS executables unsigned).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../harness/paths.ts';
import { archiveName, distDir, imageArchiveName, manifestPath, packageVersion, readSums, templatePath } from './layout.ts';
import { buildPluginImage, pluginImageRef } from '../images-lib/plugin-image.ts';
import { writeTarGz, writeZip, type ArchiveEntry } from './archive.ts';
import { defaultUriBase, renderManifest, type BuiltArchive } from './manifest.ts';
import { ensureNodeBinary, nodeLicensePath } from './node-binaries.ts';
import { thirdPartyNotices } from './notices.ts';
import { bundleForSea, canUseCodeCache, findRcodesign, injectBlob, makeBlob } from './sea.ts';
import { blobBuilder, selectTargets, TARGETS, targetName, type Target } from './targets.ts';
import { buildRcodesign, ensureKrewTools } from './tools.ts';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')));
  });
}

function archiveTime(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH ?? execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const secs = Number(epoch);
  if (!Number.isFinite(secs) || secs <= 0) throw new Error(`bad SOURCE_DATE_EPOCH/commit time "${epoch}"`);
  return new Date(secs * 1000);
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

async function buildDist(targets: Target[], uriBase: string): Promise<void> {
  if (!process.versions.node.startsWith('24.')) {
    throw new Error(`make dist needs the project's Node 24 (node_modules/.bin first on PATH), not ${process.version}`);
  }
  const version = packageVersion();
  const work = join(repoRoot, 'build', 'sea');
  // Only what this build makes again is removed: `make image` builds one target, and the other
  // targets' blobs and executables from `make dist` stay (the Krew install test checks them all).
  for (const t of targets) {
    rmSync(join(work, `${t.os}-${t.arch}.blob`), { force: true });
    rmSync(join(work, `${t.os}-${t.arch}.blob.json`), { force: true });
    rmSync(join(work, `${t.os}-${t.arch}`), { recursive: true, force: true });
  }
  mkdirSync(work, { recursive: true });
  mkdirSync(distDir, { recursive: true });

  const main = join(work, 'kubectl-velero.cjs');
  const meta = await bundleForSea(main);
  log(`bundled ${relative(repoRoot, main)} (${mib(statSync(main).size)})`);
  const mtime = archiveTime();
  const built: BuiltArchive[] = [];
  const report: string[] = [];

  for (const t of targets) {
    const name = targetName(t);
    const started = Date.now();
    const node = ensureNodeBinary(t, log);
    const cc = canUseCodeCache(t);
    const blob = join(work, `${t.os}-${t.arch}.blob`);
    const builder = blobBuilder(t.nodeVersion);
    await makeBlob(builder.nodeVersion === process.versions.node ? process.execPath : ensureNodeBinary(builder, log), main, blob, cc);
    const stage = join(work, `${t.os}-${t.arch}`);
    mkdirSync(stage, { recursive: true });
    const exe = join(stage, `kubectl-velero${t.exe}`);
    const sea = await injectBlob(t, node, blob, exe);
    const helper = t.os === 'windows' ? 'kubectl_complete-velero.cmd' : 'kubectl_complete-velero';
    copyFileSync(join(repoRoot, 'hack', 'release', helper), join(stage, helper));
    chmodSync(join(stage, helper), 0o755);
    writeFileSync(
      join(stage, 'THIRD_PARTY_LICENSES'),
      thirdPartyNotices(meta, { label: `Node.js ${t.nodeVersion} (runtime, from npm ${t.nodePackage})`, license: nodeLicensePath(t) }),
    );
    const entries: ArchiveEntry[] = [
      { name: `kubectl-velero${t.exe}`, source: exe, mode: 0o755 },
      { name: helper, source: join(stage, helper), mode: 0o755 },
      { name: 'LICENSE', source: join(repoRoot, 'LICENSE'), mode: 0o644 },
      { name: 'THIRD_PARTY_LICENSES', source: join(stage, 'THIRD_PARTY_LICENSES'), mode: 0o644 },
    ];
    const file = archiveName(version, t);
    const out = join(distDir, file);
    if (t.os === 'windows') await writeZip(out, entries, mtime);
    else await writeTarGz(out, entries, mtime);
    const sha256 = await sha256File(out);
    built.push({ os: t.os, arch: t.arch, file, sha256 });
    const notes = [`node ${t.nodeVersion}`, cc ? 'code cache' : 'no code cache'];
    if (sea.signature === 'adhoc') notes.push('signed ad hoc');
    if (sea.signature === 'unsigned') notes.push('NOT re-signed: rcodesign missing (make tools-rcodesign)');
    const line = `${name.padEnd(14)} binary ${mib(statSync(exe).size).padStart(10)}  archive ${mib(statSync(out).size).padStart(9)}  ${notes.join(', ')}`;
    report.push(line);
    log(`built dist/${file} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }

  // SHA256SUMS covers every archive in dist/ of this version, so a partial rebuild keeps the others.
  const sumsFile = join(distDir, 'SHA256SUMS');
  const sums = new Map([...readSums(sumsFile)].filter(([f]) => f.includes(`_${version}_`) && existsSync(join(distDir, f))));
  for (const a of built) sums.set(a.file, a.sha256);
  writeFileSync(sumsFile, [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([f, h]) => `${h}  ${f}\n`).join(''));

  log(`\n${report.join('\n')}`);
  const all: BuiltArchive[] = TARGETS.flatMap((t) => {
    const file = archiveName(version, t);
    const sha256 = sums.get(file);
    return sha256 ? [{ os: t.os, arch: t.arch, file, sha256 }] : [];
  });
  if (all.length < TARGETS.length) {
    log(`\nkrew/velero.yaml not written: only ${all.length} of ${TARGETS.length} platforms are built (run make dist without DIST_TARGETS).`);
    return;
  }
  writeFileSync(manifestPath, renderManifest(readFileSync(templatePath, 'utf8'), version, uriBase, all));
  log(`wrote dist/SHA256SUMS and krew/velero.yaml (URIs under ${uriBase})`);
  await validate(manifestPath);
}

/** Krew's own validator, structural checks only: the release URIs do not exist yet. */
async function validate(manifest: string): Promise<void> {
  const tools = await ensureKrewTools();
  const res = spawnSync(tools.validator, ['-manifest', manifest, '-skip-install'], { encoding: 'utf8' });
  process.stderr.write(res.stdout + res.stderr);
  if (res.status !== 0) throw new Error(`validate-krew-manifest rejected ${relative(repoRoot, manifest)}`);
}

async function cli(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      targets: { type: 'string', default: process.env.DIST_TARGETS ?? '' },
      'uri-base': { type: 'string', default: process.env.KUBECTL_VELERO_RELEASE_URI_BASE ?? '' },
      manifest: { type: 'string', default: manifestPath },
    },
  });
  const [cmd = 'build'] = positionals;
  switch (cmd) {
    case 'build': {
      const targets = selectTargets(values.targets || undefined);
      if (targets.some((t) => t.os === 'darwin') && !findRcodesign()) {
        // A release build sets DIST_REQUIRE_SIGNING=1: Apple silicon kills unsigned executables.
        if (process.env.DIST_REQUIRE_SIGNING === '1') throw new Error('DIST_REQUIRE_SIGNING=1 but rcodesign is missing: run make tools-rcodesign');
        log('note: rcodesign not found, macOS executables will be left unsigned after injection (make tools-rcodesign builds it).');
      }
      await buildDist(targets, values['uri-base'] || defaultUriBase(packageVersion()));
      break;
    }
    case 'image': {
      // The Linux executable of this machine's architecture, then the image around it.
      const arch = process.arch === 'x64' ? 'amd64' : process.arch;
      const [target] = selectTargets(`linux/${arch}`);
      if (!target) throw new Error(`no release target linux/${arch}`);
      await buildDist([target], values['uri-base'] || defaultUriBase(packageVersion()));
      const out = join(distDir, imageArchiveName(packageVersion(), arch));
      const started = Date.now();
      await buildPluginImage({ executable: join(repoRoot, 'build', 'sea', `linux-${arch}`, 'kubectl-velero'), version: packageVersion(), arch, out });
      const sumsFile = join(distDir, 'SHA256SUMS');
      const sums = readSums(sumsFile);
      sums.set(imageArchiveName(packageVersion(), arch), await sha256File(out));
      writeFileSync(sumsFile, [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([f, h]) => `${h}  ${f}\n`).join(''));
      log(`built ${relative(repoRoot, out)} (${mib(statSync(out).size)}) in ${((Date.now() - started) / 1000).toFixed(0)} s: image ${pluginImageRef(packageVersion())} once imported with ctr images import --base-name ${pluginImageRef(packageVersion()).replace(/:[^:]*$/, '')}`);
      break;
    }
    case 'validate':
      await validate(values.manifest);
      break;
    case 'tools-krew': {
      const tools = await ensureKrewTools();
      log(`krew tools in ${tools.binDir}`);
      break;
    }
    case 'tools-rcodesign':
      log(`rcodesign at ${await buildRcodesign()}`);
      break;
    default:
      throw new Error(`unknown command "${cmd}" (build, image, validate, tools-krew, tools-rcodesign)`);
  }
}

try {
  await cli(process.argv.slice(2));
} catch (err) {
  log(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
