/**
 * End to end with real clients: twine uploads what `python -m build` made, pip
 * installs it through the JSON and the HTML Simple API, yanked files install
 * only when pinned, and the same against SQLite and PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startGateway } from '../helpers/gateway.js';
import { startHtmlOnlyProxy } from '../helpers/html-only-proxy.js';
import { buildProject, isolatedPipEnv, runCommand } from '../helpers/packages.js';
import { DATABASES } from '../helpers/postgres.js';

async function pipInstall(indexUrl: string, requirement: string): Promise<{ code: number; output: string; installed: string[] }> {
  const target = await mkdtemp(join(tmpdir(), 'gatehouse-pip-'));
  try {
    const r = await runCommand(
      'python3',
      ['-m', 'pip', '--isolated', 'install', '--no-cache-dir', '--no-deps', '--target', target, '--index-url', indexUrl, requirement],
      { env: isolatedPipEnv() },
    );
    const installed = (await readdir(target)).filter((f) => f.endsWith('.dist-info')).sort();
    return { code: r.code, output: r.stdout + r.stderr, installed };
  } finally {
    await rm(target, { recursive: true, force: true });
  }
}

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

const built = Promise.all([
  buildProject({ name: 'Demo_Pkg', version: '1.0', requiresPython: '>=3.8' }),
  buildProject({ name: 'Demo_Pkg', version: '1.1', requiresPython: '>=3.8' }),
]);

for (const database of DATABASES) {
  test(`${database}: twine uploads, pip installs through JSON and HTML, yanked files need ==`, async (t) => {
    const [v10, v11] = await built;
    const gw = await startGateway({ database, listen: true });
    t.after(() => gw.close());
    const uploadToken = await gw.token({ projects: ['demo-pkg'] });
    const adminToken = await gw.token({ scope: 'admin' });
    const legacy = `${gw.url}/legacy/`;

    const upload = await runCommand('twine', ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', legacy, '-u', '__token__', '-p', uploadToken, v10.wheel, v10.sdist, v11.wheel, v11.sdist]);
    assert.equal(upload.code, 0, upload.stdout + upload.stderr);

    // The same file again is already there: warehouse answers 200, so twine succeeds and nothing changes.
    const again = await runCommand('twine', ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', legacy, '-u', '__token__', '-p', uploadToken, v10.wheel]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    // Other bytes under a used file name are refused, and twine says why.
    const impostorDir = await mkdtemp(join(tmpdir(), 'gatehouse-impostor-'));
    t.after(() => rm(impostorDir, { recursive: true, force: true }));
    const impostor = join(impostorDir, basename(v10.wheel));
    await copyFile(v10.wheel, impostor);
    await runCommand('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "a").writestr("extra.txt", "other bytes")', impostor]);
    const clash = await runCommand('twine', ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', legacy, '-u', '__token__', '-p', uploadToken, impostor]);
    assert.notEqual(clash.code, 0);
    assert.match(clash.stdout + clash.stderr, /File already exists/);

    const wrong = await runCommand('twine', ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', legacy, '-u', '__token__', '-p', 'gh1_not-a-token', v10.wheel]);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stdout + wrong.stderr, /invalid API token/);

    // JSON (pip's first choice)
    const viaJson = await pipInstall(`${gw.url}/simple/`, 'demo-pkg');
    assert.equal(viaJson.code, 0, viaJson.output);
    assert.deepEqual(viaJson.installed, ['Demo_Pkg-1.1.dist-info']);

    // HTML (what pip reads when the server offers only HTML)
    const proxy = await startHtmlOnlyProxy(gw.url);
    t.after(() => proxy.close());
    const viaHtml = await pipInstall(`${proxy.url}/simple/`, 'Demo.Pkg==1.0');
    assert.equal(viaHtml.code, 0, viaHtml.output);
    assert.deepEqual(viaHtml.installed, ['Demo_Pkg-1.0.dist-info']);

    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.ok(metric(metrics, 'gatehouse_simple_pages_total', 'format="json"') >= 1, 'pip read the JSON page');
    assert.ok(metric(metrics, 'gatehouse_simple_pages_total', 'format="html"') >= 1, 'pip read the HTML page');
    assert.ok(metric(metrics, 'gatehouse_downloads_total', 'kind="metadata"') >= 1, 'pip fetched PEP 658 .metadata');
    assert.equal(metric(metrics, 'gatehouse_uploads_total', 'outcome="stored"'), 4);

    // Yank 1.1: unpinned installs pick 1.0, `==1.1` still installs 1.1 (PEP 592).
    const yank = await fetch(`${gw.url}/admin/api/projects/demo-pkg/yank`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: '1.1', reason: 'broken <build> & more' }),
    });
    assert.equal(yank.status, 200, await yank.text());
    const unpinned = await pipInstall(`${gw.url}/simple/`, 'demo-pkg');
    assert.deepEqual(unpinned.installed, ['Demo_Pkg-1.0.dist-info'], unpinned.output);
    const pinned = await pipInstall(`${gw.url}/simple/`, 'demo-pkg==1.1');
    assert.equal(pinned.code, 0, pinned.output);
    assert.deepEqual(pinned.installed, ['Demo_Pkg-1.1.dist-info']);
    assert.match(pinned.output, /yanked/i);
    const pinnedHtml = await pipInstall(`${proxy.url}/simple/`, 'demo-pkg');
    assert.deepEqual(pinnedHtml.installed, ['Demo_Pkg-1.0.dist-info'], 'the HTML page carries data-yanked too');
  });
}

test('poetry publish uploads to the gateway', async (t) => {
  const gw = await startGateway({ listen: true });
  t.after(() => gw.close());
  const token = await gw.token({ projects: ['poetry-demo'] });
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-poetry-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(join(dir, 'poetry_demo'));
  await writeFile(join(dir, 'poetry_demo', '__init__.py'), '__version__ = "0.3.0"\n');
  await writeFile(
    join(dir, 'pyproject.toml'),
    `[tool.poetry]\nname = "poetry-demo"\nversion = "0.3.0"\ndescription = "published by the test suite"\nauthors = ["Test <test@example.invalid>"]\n\n[tool.poetry.dependencies]\npython = "^3.8"\n\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n`,
  );
  const env = {
    ...process.env,
    POETRY_CONFIG_DIR: join(dir, '.config'),
    POETRY_CACHE_DIR: join(dir, '.cache'),
    POETRY_REPOSITORIES_GATEHOUSE_URL: `${gw.url}/legacy/`,
    POETRY_HTTP_BASIC_GATEHOUSE_USERNAME: '__token__',
    POETRY_HTTP_BASIC_GATEHOUSE_PASSWORD: token,
    PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
  };
  const r = await runCommand('poetry', ['publish', '--build', '--no-interaction', '-r', 'gatehouse'], { cwd: dir, env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const page = await (await fetch(`${gw.url}/simple/poetry-demo/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json() as { files: Array<{ filename: string }> };
  assert.deepEqual(page.files.map((f) => f.filename).sort(), ['poetry_demo-0.3.0-py3-none-any.whl', 'poetry_demo-0.3.0.tar.gz']);
});
