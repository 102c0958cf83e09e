/**
 * Decoys planted in every run: credential files where stealers look (in HOME, and in the Windows profile folders
 * that APPDATA and LOCALAPPDATA point at) and secret-looking environment variables. Every value is fresh random
 * for the run, so finding one anywhere (a command line, a network message, a file) proves where it came from.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Canary } from './trace/interpret.js';
import { HOME_DIR, HOME_STORE, HOSTNAME, USER_NAME } from './layout.js';

interface HoneypotSpec {
  name: string;
  /** Relative to HOME. */
  path: string;
  content: (secret: string) => string;
}

const chromeProfile = (root: string, prefix: string): HoneypotSpec[] => [
  { name: `${prefix}-local-state`, path: `${root}/Local State`, content: (s) => JSON.stringify({ os_crypt: { encrypted_key: `RFBBUEk${s}` } }) },
  { name: `${prefix}-login-data`, path: `${root}/Default/Login Data`, content: (s) => `SQLite format 3\0https://accounts.example.com/ builder ${s}\n` },
  { name: `${prefix}-cookies`, path: `${root}/Default/Cookies`, content: (s) => `SQLite format 3\0.example.com session ${s}\n` },
];

/** Where stealers look, by what they steal. */
const honeypotSpecs: readonly HoneypotSpec[] = [
  { name: 'aws-credentials', path: '.aws/credentials', content: (s) => `[default]\naws_access_key_id = AKIA${s.slice(0, 16).toUpperCase()}\naws_secret_access_key = ${s}\n` },
  { name: 'ssh-key', path: '.ssh/id_rsa', content: (s) => `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU${s}\n-----END OPENSSH PRIVATE KEY-----\n` },
  { name: 'ssh-key-ed25519', path: '.ssh/id_ed25519', content: (s) => `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAC3NzaC1lZDI1NTE5${s}\n-----END OPENSSH PRIVATE KEY-----\n` },
  { name: 'pypirc', path: '.pypirc', content: (s) => `[pypi]\nusername = __token__\npassword = pypi-${s}\n` },
  { name: 'netrc', path: '.netrc', content: (s) => `machine api.github.com login builder password ${s}\n` },
  { name: 'git-credentials', path: '.git-credentials', content: (s) => `https://builder:${s}@github.com\n` },
  { name: 'docker-config', path: '.docker/config.json', content: (s) => JSON.stringify({ auths: { 'https://index.docker.io/v1/': { identitytoken: s } } }) },
  { name: 'kube-config', path: '.kube/config', content: (s) => `apiVersion: v1\nusers:\n- name: builder\n  user:\n    token: ${s}\n` },
  { name: 'npmrc', path: '.npmrc', content: (s) => `//registry.npmjs.org/:_authToken=npm_${s}\n` },
  { name: 'gh-hosts', path: '.config/gh/hosts.yml', content: (s) => `github.com:\n    oauth_token: gho_${s}\n    user: builder\n` },
  { name: 'shell-history', path: '.bash_history', content: (s) => `export AWS_SECRET_ACCESS_KEY=${s}\ngit push\n` },
  ...chromeProfile('.config/google-chrome', 'chrome'),
  { name: 'firefox-profiles', path: '.mozilla/firefox/profiles.ini', content: () => '[Profile0]\nName=default-release\nIsRelative=1\nPath=k3v9x2lp.default-release\nDefault=1\n' },
  { name: 'firefox-logins', path: '.mozilla/firefox/k3v9x2lp.default-release/logins.json', content: (s) => JSON.stringify({ logins: [{ hostname: 'https://accounts.example.com', encryptedPassword: s }] }) },
  { name: 'firefox-cookies', path: '.mozilla/firefox/k3v9x2lp.default-release/cookies.sqlite', content: (s) => `SQLite format 3\0.example.com session ${s}\n` },
  { name: 'discord-token', path: '.config/discord/Local Storage/leveldb/000003.log', content: (s) => `_https://discord.com\0token"${s}.Gx1a2b"\n` },
  { name: 'electrum-wallet', path: '.electrum/wallets/default_wallet', content: (s) => JSON.stringify({ keystore: { seed: s } }) },
  ...chromeProfile('AppData/Local/Google/Chrome/User Data', 'windows-chrome'),
  { name: 'windows-discord-token', path: 'AppData/Roaming/discord/Local Storage/leveldb/000003.log', content: (s) => `_https://discord.com\0token"${s}.Gx1a2b"\n` },
];

/** Secret-looking environment variables, with values in each service's own format. */
const secretVariables: readonly { name: string; value: (r: string) => string }[] = [
  { name: 'AWS_ACCESS_KEY_ID', value: (r) => `AKIA${r.slice(0, 16).toUpperCase()}` },
  { name: 'AWS_SECRET_ACCESS_KEY', value: (r) => r.slice(0, 40) },
  { name: 'GITHUB_TOKEN', value: (r) => `ghp_${r.slice(0, 36)}` },
  { name: 'TWINE_PASSWORD', value: (r) => `pypi-AgEIcHlwaS5vcmc${r.slice(0, 30)}` },
  { name: 'NPM_TOKEN', value: (r) => `npm_${r.slice(0, 36)}` },
  { name: 'OPENAI_API_KEY', value: (r) => `sk-proj-${r.slice(0, 40)}` },
  { name: 'DISCORD_TOKEN', value: (r) => `MTA${r.slice(0, 56)}` },
];

function randomToken(): string {
  return randomBytes(48).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(60, 'q');
}

export interface PlantedDecoys {
  /** Host file -> path in the sandbox, to bind read-only. */
  mounts: { source: string; target: string }[];
  /** Empty directories a Windows profile has, made in the throwaway HOME (a Startup folder to write to, a Temp). */
  dirs: string[];
  /** Honeypot name by its canonical path in the sandbox. */
  honeypots: Map<string, string>;
  /** Variables for the sandboxed environment. */
  env: Record<string, string>;
  /** Every planted value, to look for in what leaves. */
  canaries: Canary[];
}

/** Writes this run's decoy files under `hostDir` and returns how to plant them and what to look for. */
export function plantDecoys(hostDir: string): PlantedDecoys {
  const decoys: PlantedDecoys = {
    mounts: [],
    dirs: ['AppData/Local/Temp', 'AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup'].map((d) => `${HOME_STORE}/${d}`),
    honeypots: new Map(),
    env: {},
    canaries: [],
  };
  for (const spec of honeypotSpecs) {
    const secret = randomToken().slice(0, 40);
    const source = join(hostDir, spec.path);
    mkdirSync(dirname(source), { recursive: true });
    writeFileSync(source, spec.content(secret), { mode: 0o600 });
    const target = `${HOME_STORE}/${spec.path}`;
    decoys.mounts.push({ source, target });
    decoys.honeypots.set(target, spec.name);
    decoys.canaries.push({ name: spec.name, value: secret });
  }
  for (const variable of secretVariables) {
    const value = variable.value(randomToken());
    decoys.env[variable.name] = value;
    decoys.canaries.push({ name: variable.name, value });
  }
  // Windows-minded stealers read these before looking for browser stores; here they lead to the decoys above.
  decoys.env.APPDATA = `${HOME_DIR}/AppData/Roaming`;
  decoys.env.LOCALAPPDATA = `${HOME_DIR}/AppData/Local`;
  decoys.env.USERPROFILE = HOME_DIR;
  // Code written for Windows reads these unguarded (a KeyError would end it before it shows what it does).
  decoys.env.TEMP = '/tmp';
  decoys.env.TMP = '/tmp';
  decoys.env.USERNAME = USER_NAME;
  decoys.env.COMPUTERNAME = HOSTNAME.toUpperCase();
  return decoys;
}
