/**
 * The behaviour of one module as facts: each call that runs code, starts a
 * process, uses the network or writes a file, with what reaches it (the
 * folded value and its taints) and where it runs (install, import or call
 * time). Behaviour rules (`match: { behaviour: … }` in rules/) judge facts.
 *
 * Two passes: the first finds files written with downloaded or decoded data
 * (and the names that hold them), the second evaluates every sink again with
 * those marked `dropped`, so that "writes a download, then runs that file" is
 * one fact, while a download and an unrelated process call are not. The
 * first pass also keeps the text of files written from literals: a process
 * that runs such a file gets that text as a script, which the scanner reads
 * again as code (a stub that writes a loader to a temp file and starts the
 * interpreter on it hides nothing then).
 */
import type { Node } from 'web-tree-sitter';
import type { ExecutionContext, FileRole } from '../context.js';
import { readCommandLine, type CommandLine } from '../command/command-line.js';
import { hole, taints, textOf, type Value } from '../unpack/value.js';
import { type Sink, sinkTails, sinksOf } from './api.js';
import { type ConstantResolver, Evaluator } from './evaluate.js';
import { type ModuleModel, moduleScope } from './module-model.js';

export interface Fact {
  sink: Sink;
  /** The qualified name of what is called (`subprocess.Popen`, `builtins.exec`). */
  callee: string;
  node: Node;
  /** The argument that matters: the code, the command, the data or URL, the path. */
  value: Value;
  /** Taints of everything that reaches the call. */
  taint: number;
  /** For processes, the command read as a command. */
  command?: CommandLine;
  /** For network calls, the URL or host when it folds. */
  url?: string;
  /** For network calls, the taints of the URL or host itself. */
  urlTaint?: number;
  context: ExecutionContext;
  /** The outermost function (start offset), or -1 at module level: where combinations meet. */
  scope: number;
  /** For writes: the text written, when it folds. */
  written?: string;
  /** For processes: the text of files this module writes and the process runs, to be scanned again as code. */
  scripts?: string[];
}

/** Turns arguments into one command line: a list is joined with spaces, as the shell would see it. */
function commandText(v: Value | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.kind === 'list') return v.items.map((x) => textOf(x) ?? (x.kind === 'int' ? x.n.toString() : isInterpreter(x) ? 'python' : hole)).join(' ');
  return textOf(v);
}

/** `sys.executable`: the Python that runs this code. */
function isInterpreter(v: Value): boolean {
  return v.kind === 'ref' && (v.name === 'sys.executable' || v.name === 'sys._base_executable');
}

/** The code of `[python, "-c", code]`: a list item is one argument, so the code needs no quotes to be whole. */
function dashC(args: Value | undefined): string | undefined {
  if (args?.kind !== 'list') return undefined;
  const [program, ...rest] = args.items;
  if (program === undefined || !(isInterpreter(program) || /(^|[\\/])python[\d.]*w?(\.exe)?$/i.test(textOf(program) ?? ''))) return undefined;
  const at = rest.findIndex((x) => textOf(x) === '-c');
  return at === -1 ? undefined : textOf(rest[at + 1] ?? { kind: 'unknown', t: 0 });
}

/** Programs that run the file they are given. */
const launchers = /^(?:start(?:\s+\/\w+)*|cmd(?:\.exe)?\s+\/[ck](?:\s+start)?|(?:ba|z|da)?sh|chmod\s+[+0-7a-z]+|python[\d.]*w?(?:\.exe)?|pyw?(?:\.exe)?|[cw]script(?:\.exe)?(?:\s+\/\/\w+)*|mshta(?:\.exe)?|java\s+-jar|wine|mono|powershell(?:\.exe)?\s+(?:-\w+\s+)*-file|nohup|exec|open|xdg-open|rundll32(?:\.exe)?|msiexec(?:\.exe)?\s+\/i)\s+/i;

/** Whether the program a process call runs is a dropped file: the first list item, or the first word after a launcher. */
function runsDropped(args: Value | undefined, text: string | undefined, droppedPaths: readonly string[]): boolean {
  if (args?.kind === 'list') {
    const [first, second] = args.items;
    const program = first !== undefined && launchers.test(`${textOf(first) ?? ''} `) && second !== undefined ? second : first;
    if (program !== undefined && (program.t & taints.dropped) !== 0) return true;
  }
  if (text === undefined) return false; // which program runs is not known: no claim
  let rest = text.trim().replace(/^["']/, '');
  for (let i = 0; i < 3 && launchers.test(rest); i++) rest = rest.replace(launchers, '');
  const program = rest.split(/[\s;&|]/)[0] ?? '';
  return program.includes(hole) || droppedPaths.some((p) => program.includes(p.replace(/^.*[\\/]/, '')));
}

/** True unless the value folded to text that no interpreter would take for source (NUL bytes, mostly unprintable). */
function couldBeSource(v: Value): boolean {
  const text = textOf(v);
  if (text === undefined || text.length === 0) return true;
  const sample = text.length > 4096 ? text.slice(0, 4096) : text;
  if (sample.includes('\0')) return false;
  const printable = sample.replace(/[^\t\n\r\x20-\x7e\u00a0-\uffff]/g, '').length;
  return printable / sample.length >= 0.9 && !/[\x80-\xff]{4}/.test(sample);
}

/** The PyPA's own hosts: what comes from them is what pip itself would install. */
const packagingHosts = /^https:\/\/(?:bootstrap\.pypa\.io|files\.pythonhosted\.org|pypi\.org)\//i;

/** Names that hold a wallet's key or seed: whoever receives one can spend from that wallet. */
const walletSecretName = /^(private_?key|priv_?key|privkey|mnemonic(_?phrase|_?words)?|seed_?(phrase|words)|recovery_?phrase|secret_?phrase|wallet_?(key|seed|secret|private_?key))$/i;

/**
 * Whether the arguments of a network call hold a wallet secret by name: a
 * name or attribute spelled like one, in the arguments themselves or in a
 * literal (dict, list, f-string) bound to a name they use. What a call makes
 * of the secret (a signature, a public address) is not the secret: calls are
 * not entered. A wallet signs locally; the raw key or seed only leaves the
 * machine when someone takes it.
 */
function sendsWalletSecret(model: ModuleModel, argNodes: readonly Node[]): boolean {
  const queue: Node[] = argNodes.map((a) => (a.type === 'keyword_argument' ? a.childForFieldName('value') : a)).filter((a): a is Node => a !== null);
  for (let budget = 400; queue.length > 0 && budget > 0; budget--) {
    const n = queue.pop()!;
    if (n.type === 'identifier') {
      if (walletSecretName.test(n.text)) return true;
      for (const v of model.valuesOf(n.text, n).slice(0, 4)) if (/^(dictionary|list|set|tuple|string|concatenated_string|binary_operator)$/.test(v.type)) queue.push(v);
      continue;
    }
    // An account's raw key (`account.key`, `wallet.key`, as eth-account and solders name it).
    if (n.type === 'attribute' && /(?:^|\.)(?:\w*account|acct|wallet|signer|keypair)\w*\.(?:key|secret_key|private_key)$/i.test(n.text)) return true;
    if (n.type === 'call') {
      // Spelling the key out (`.hex()`, `.decode()`, `str(key)`) is still the key; other calls make something else of it.
      const fn = n.childForFieldName('function');
      const object = fn?.type === 'attribute' && /^(hex|decode|encode|strip|lower|upper)$/.test(fn.childForFieldName('attribute')?.text ?? '') ? fn.childForFieldName('object') : fn?.type === 'identifier' && /^(str|bytes|repr)$/.test(fn.text) ? n.childForFieldName('arguments')?.namedChildren[0] : undefined;
      if (object) queue.push(object);
      continue;
    }
    if (n.type === 'lambda') continue;
    if (n.type === 'keyword_argument') {
      const value = n.childForFieldName('value');
      if (value) queue.push(value);
      continue;
    }
    for (const c of n.namedChildren) if (c !== null) queue.push(c);
  }
  return false;
}

const dnsLookups = new Set(['socket.gethostbyname', 'socket.getaddrinfo', 'dns.resolver.resolve', 'dns.resolver.query', 'dns.resolver.Resolver().resolve']);

/** Where a statement of this module runs, given the file's role. */
export function contextResolver(model: ModuleModel, role: FileRole): (node: Node) => ExecutionContext {
  return (node) => {
    if (role === 'setup') return 'install';
    if (role === 'unshipped') return 'unshipped';
    // `if __name__ == "__main__":` runs when the file is a script, not on import.
    if (model.inMainGuard(node.startIndex)) return 'call';
    const outer = model.outerFunctionOf(node);
    if (outer === undefined) return 'import';
    // A function that module level calls (directly, or through the functions and methods it calls) runs at import time.
    return model.importTime.has(outer) ? 'import' : 'call';
  };
}

/**
 * A command line that downloads to a file: the file's path (`-OutFile P`, `curl -o P`, `wget -O P`, `certutil … URL P`,
 * or any program given a URL and `-o P`: a downloader copied under another name still takes curl's options).
 */
const downloadTo =
  /(?:invoke-webrequest|iwr|wget|curl)\b[^|;\n]*?\s(?:-outfile|-o|-O|--output(?:-document)?)(?:\s+|=)["']?([^\s"';|&]+)|(?:invoke-webrequest|iwr|curl|wget)\b[^|;\n]*?(?:https?:\/\/\S+)[^|;\n]*?\s(?:-outfile|-o|-O)\s+["']?([^\s"';|&]+)|certutil(?:\.exe)?\s[^\n]*?-urlcache[^\n]*?https?:\/\/\S+\s+["']?([^\s"';|&]+)|bitsadmin(?:\.exe)?\s[^\n]*?\/transfer[^\n]*?https?:\/\/\S+\s+["']?([^\s"';|&]+)|\S+\s+[^|;&\n]*?https?:\/\/\S+[^|;&\n]*?\s(?:-o|-O|--output(?:-document)?)\s+["']?([^\s"';|&]+)/gi;

/**
 * The part of a partly known path that names the file: the last known piece
 * of four characters or more, unless it is only an extension (`.tar.gz` alone
 * names no file in particular, and every archive mentioned would match it).
 */
function knownPathPart(text: string): string | undefined {
  const named = text.split(hole).filter((p) => p.length >= 4 && !/^[\\/]?\.[\w.]+$/.test(p)).pop();
  // No piece names it: the whole text, holes and all, still matches a path built the same way elsewhere.
  return named ?? (text.replaceAll(hole, '').length >= 4 ? text : undefined);
}

/** The address of an http.client request: the connection's host, then the path it asks for. */
function joinedUrl(host: Value, path: Value | undefined): Value {
  const text = `${textOf(host) ?? hole}${path === undefined ? '' : (textOf(path) ?? hole)}`;
  return { kind: 'str', s: text, t: host.t | (path?.t ?? 0), partial: text.includes(hole) };
}

/** Calls that start a thread or process running a callable they are given as `target`. */
const threadRunners = new Set(['Thread', 'Process', 'Timer']);

/**
 * A thread or process started on a callable that is not a local function
 * (`Thread(target=exec, args=(code,))`, `Thread(target=__import__("os").system,
 * args=[cmd])`): the call that happens is the target's, with those arguments.
 */
function handedSink(call: Node): { target: Node; args: Node[] } | undefined {
  const argNodes = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => a !== null && a.type === 'keyword_argument');
  const value = (name: string): Node | undefined => argNodes.find((a) => a.childForFieldName('name')?.text === name)?.childForFieldName('value') ?? undefined;
  const target = value('target');
  // A local function handed to a thread is followed as a call of it (ModuleModel); only other callables are sinks here.
  if (target === undefined || target.type === 'identifier' && !/^(exec|eval|system|popen|Popen|call|run|check_output|check_call|getoutput)$/.test(target.text)) return undefined;
  const list = value('args');
  const args = list !== undefined && (list.type === 'tuple' || list.type === 'list') ? list.namedChildren.filter((a): a is Node => a !== null && a.type !== 'comment') : [];
  return { target, args };
}

/** Shell substitutions and variables whose value says who and where the host is, or dumps the environment. */
const reconInCommand = /\$\(\s*(?:whoami|hostname|id|uname|pwd|ls|cat|echo\s+\$\w+)\b|`\s*(?:whoami|hostname|id|uname|pwd|ls|cat)\b|\$\{?(?:USER|USERNAME|HOSTNAME|HOME|PWD|LOGNAME)\b|%(?:USERNAME|COMPUTERNAME|USERDOMAIN|USERPROFILE)%/i;
const environmentInCommand = /\$\(\s*(?:env|printenv|set)\b|`\s*(?:env|printenv)\b/i;

/**
 * What a command line sends over the network: each curl, wget or PowerShell
 * Invoke-WebRequest / Invoke-RestMethod (to the URL it names) and each DNS lookup (nslookup, dig, host, ping: to the host it
 * names), wherever they sit among its commands. Host and user details or the
 * environment substituted into the command line (`$(whoami)`, `` `hostname` ``,
 * `%USERNAME%`, `$(env | base64)`) are what it sends.
 */
function commandSends(text: string): Array<{ callee: string; url: string; taint: number }> {
  const out: Array<{ callee: string; url: string; taint: number }> = [];
  const taint = (reconInCommand.test(text) ? taints.recon : 0) | (environmentInCommand.test(text) ? taints.secret | taints.recon : 0);
  // Substitutions are what is sent, not where: a pipe inside `$(env | base64)` does not end the curl command.
  const commands = text.replace(/\$\([^()]{0,2000}\)|`[^`]{0,2000}`/g, 'X');
  for (const m of commands.matchAll(/(?:^|[;&|\n(`]|\s-command\s)\s*(curl|wget|invoke-webrequest|iwr|invoke-restmethod|irm|nslookup|dig|host|ping)(?:\.exe)?\s+([^;|]{0,4000})/gi)) {
    const tool = m[1]!.toLowerCase();
    const args = m[2]!;
    if (!['nslookup', 'dig', 'host', 'ping'].includes(tool)) {
      const url = /((?:https?|ftp):\/\/[^\s'"]+|[\w-]+(?:\.[\w-]+)+\/[^\s'"]*)/i.exec(args);
      if (url !== null) out.push({ callee: 'curl', url: url[1]!, taint });
    } else {
      // The name looked up: the first argument that is not an option, a server (`@1.1.1.1`) or a count.
      const host = args.split(/\s+/).map((a) => a.replace(/^["']|["']$/g, '')).find((a) => a !== '' && !/^[-+@/]/.test(a) && !/^\d+$/.test(a) && /\./.test(a));
      if (host !== undefined) out.push({ callee: tool, url: host.split(hole).join('x'), taint });
    }
    if (out.length >= 16) break;
  }
  return out;
}

/** A script file for a shell, and a command that hands a file to a shell. */
const shellScript = /\.(?:sh|bash|bat|cmd|ps1)$/i;
const shellRunner = /^\s*["']?(?:\S*[\\/])?(?:(?:ba|z|da)?sh|cmd(?:\.exe)?\s+\/[ck]|powershell(?:\.exe)?|pwsh)\b/i;

/** A command line that starts a program: through a launcher, PowerShell's Start-Process or Invoke-Item, or by its path. */
const runVerbs = /\b(?:start-process|saps|invoke-item|invoke-expression|iex|start|cmd(?:\.exe)?\s+\/[ck]|(?:ba|z|da)?sh|chmod\s+[+0-7a-z]+|python[\d.]*w?(?:\.exe)?|pyw?(?:\.exe)?|[cw]script(?:\.exe)?|mshta(?:\.exe)?|wine|rundll32(?:\.exe)?|msiexec(?:\.exe)?)(?:\s|$)/i;

/** Whether `text` (lower case) runs the file `name`: as the program of one of its commands, or after a run verb there. */
function runsFile(text: string, name: string): boolean {
  if (!text.includes(name)) return false;
  return text.split(/&&|\|\||[;&|\n]/).some((part) => {
    const at = part.indexOf(name);
    if (at === -1) return false;
    const program = (part.trim().replace(/^["']+/, '').split(/\s/)[0] ?? '').replace(/["']+$/, '').replace(/^.*[\\/]/, '');
    return program.startsWith(name) || runVerbs.test(part.slice(0, at));
  });
}

/** The commands of a command line after the one that holds `offset` ('' when it is the last). */
function laterCommands(text: string, offset: number): string {
  const next = /&&|\|\||[;&|\n]/.exec(text.slice(offset));
  return next === null ? '' : text.slice(offset + next.index + next[0].length);
}

/**
 * One command downloads to a file and another command (or a later part of
 * the same one) runs that file: the second runs a dropped file (a PowerShell
 * `Invoke-WebRequest -OutFile X` followed by `Start-Process X`, `curl -o x`
 * then `chmod +x x; ./x`, `curl -o %TEMP%/a.pyw && py %TEMP%/a.pyw`).
 */
function markCommandDrops(facts: Fact[]): void {
  const drops: Array<{ fact: Fact; name: string; end: number }> = [];
  for (const f of facts) {
    if (f.sink !== 'process' || f.command === undefined) continue;
    downloadTo.lastIndex = 0;
    for (const m of f.command.text.matchAll(downloadTo)) {
      const path = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '').split(hole).filter((p) => p.length >= 3).pop();
      const name = path?.replace(/^.*[\\/]/, '');
      if (name !== undefined && name.length >= 3 && name !== '-') drops.push({ fact: f, name: name.toLowerCase(), end: m.index + m[0].length });
    }
  }
  if (drops.length === 0) return;
  for (const f of facts) {
    if (f.sink !== 'process' || f.command === undefined || (f.taint & taints.dropped) !== 0) continue;
    const text = f.command.text.toLowerCase();
    if (drops.some((d) => runsFile(d.fact === f ? laterCommands(text, d.end) : text, d.name))) f.taint |= taints.dropped;
  }
}

/**
 * A dropped file moved or renamed (`os.rename(a, b)`, `shutil.move(a, b)`,
 * `Path(a).rename(b)`) is still the dropped file under its new name, and a
 * dropped archive unpacked into a folder (`ZipFile(a).extractall(d)`,
 * `shutil.unpack_archive(a, d)`) drops what is in it: the destination joins
 * the dropped names and paths.
 */
function followMoves(model: ModuleModel, evaluator: Evaluator, names: Set<string>, paths: Set<string>, keyOf: (n: Node) => string): void {
  const basename = (p: string): string => p.replace(/^.*[\\/]/, '');
  for (const site of model.calls) {
    if (site.name === undefined || !/^(rename|renames|replace|move|extractall|unpack_archive)$/.test(site.name) || site.calleeType !== 'attribute') continue;
    const callee = site.node.childForFieldName('function')!;
    const object = callee.childForFieldName('object');
    const args = (site.node.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => a !== null && a.type !== 'keyword_argument' && a.type !== 'comment');
    let source: Node | null | undefined;
    let destination: Node | undefined;
    const unpacks = site.name === 'extractall' || site.name === 'unpack_archive';
    if (site.name === 'extractall') {
      // An archive unpacked into a folder: `ZipFile(a).extractall(d)`, or through the name a `with` binds.
      const opened = object?.type === 'call' ? object : object?.type === 'identifier' ? model.valuesOf(object.text, site.node).find((v) => v.type === 'call') : undefined;
      source = opened?.childForFieldName('arguments')?.namedChildren[0];
      destination = args[0] ?? site.node.childForFieldName('arguments')?.namedChildren.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'path')?.childForFieldName('value') ?? undefined;
    } else {
      // `Path(a).rename(b)` / `p.rename(b)` move their receiver; `os.rename(a, b)`, `shutil.move(a, b)` and
      // `shutil.unpack_archive(a, d)` their first argument.
      const onPath = object !== null && !/^(os|shutil)$/.test(object.text);
      source = onPath ? (object.type === 'call' ? object.childForFieldName('arguments')?.namedChildren[0] : object) : args[0];
      destination = onPath ? args[0] : args[1];
    }
    if (!source || !destination) continue;
    const sourceText = textOf(evaluator.evaluate(source));
    const fromDropped =
      (source.type === 'identifier' && names.has(keyOf(source))) || (sourceText !== undefined && [...paths].some((p) => basename(sourceText).includes(basename(p))));
    if (!fromDropped) continue;
    // A renamed file is the file under that name; an unpacked folder is not a file (a project directory an archive
    // was unpacked into holds much else), only paths under it name what was unpacked.
    if (destination.type === 'identifier' && !unpacks) names.add(keyOf(destination));
    const destinationText = textOf(evaluator.evaluate(destination));
    if (destinationText !== undefined) {
      const last = knownPathPart(destinationText);
      if (last !== undefined) paths.add(last);
    }
  }
}

export function moduleFacts(model: ModuleModel, role: FileRole, constantOf?: ConstantResolver): Fact[] {
  const contextOf = contextResolver(model, role);

  // Only calls that can be sinks are evaluated: by their last name, or because the callee is computed or renamed,
  // or because they hand a sink to a thread (`Thread(target=os.system, args=[cmd])`).
  const candidates = model.calls
    .filter((site) => {
      if (site.name !== undefined && threadRunners.has(site.name) && handedSink(site.node) !== undefined) return true;
      if (site.calleeType === 'identifier') return sinkTails.has(site.name!) || model.aliases.has(site.name!) || model.assignedNames.has(site.name!);
      if (site.calleeType === 'attribute') return sinkTails.has(site.name ?? '');
      return site.calleeType !== '';
    })
    .map((site) => site.node);

  /** The requests a helper makes for its callers: one per address a call site passes for its URL parameter. */
  const requestsFromCallers = (evaluator: Evaluator, param: Node, fact: Fact): Fact[] => {
    const fn = model.parameterOf(param.text, param);
    const out: Fact[] = [];
    for (const arg of fn === undefined ? [] : model.argumentsFor(fn, param.text)) {
      const value = evaluator.evaluate(arg);
      const text = textOf(value);
      if (text === undefined || text === fact.url || out.some((f) => f.url === text)) continue;
      out.push({ ...fact, url: text, urlTaint: value.t, taint: fact.taint | value.t, context: contextOf(arg) });
    }
    return out;
  };

  const collect = (evaluator: Evaluator, only?: Sink): Fact[] => {
    const facts: Fact[] = [];
    for (const call of candidates) {
      if (evaluator.exhausted) break;
      if (only === 'write' && !/write|copy|move|urlretrieve|download/.test(call.childForFieldName('function')?.text ?? '')) continue;
      const handed = handedSink(call);
      const fnNode = handed?.target ?? call.childForFieldName('function');
      if (!fnNode) continue;
      const fn = evaluator.evaluate(fnNode);
      if (fn.kind !== 'ref') continue;
      for (const sink of sinksOf(fn.name)) {
      if (only !== undefined && sink !== only) continue;
      const argNodes = handed?.args ?? (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => a !== null && a.type !== 'comment');
      const positional = argNodes.filter((a) => a.type !== 'keyword_argument');
      const keyword = (name: string): Node | undefined => argNodes.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name)?.childForFieldName('value') ?? undefined;
      const fromCallers: Fact[] = [];
      let taint = fn.t;
      const values = argNodes.map((a) => evaluator.evaluate(a));
      for (const v of values) taint |= v.t;
      const first = positional[0] ? evaluator.evaluate(positional[0]) : undefined;
      const fact: Fact = { sink, callee: fn.name, node: call, value: first ?? { kind: 'unknown', t: 0 }, taint, context: contextOf(call), scope: model.outerScopeOf(call) };
      if (sink === 'exec' && !couldBeSource(fact.value)) {
        // What exec gets folded to something that cannot be Python source (binary noise, a template placeholder
        // decoded as base64): it would fail, not run a payload.
        fact.taint &= ~(taints.decoded | taints.obfuscated);
      } else if (sink === 'process') {
        const args = first ?? (keyword('args') ? evaluator.evaluate(keyword('args')!) : undefined);
        // What a process runs is its command: an environment or working directory passed beside it is not.
        fact.taint = fn.t | (args?.t ?? 0);
        let text = commandText(args);
        if (/^pip\./.test(fn.name)) text = `pip ${text ?? hole}`;
        if (fn.name === 'os.startfile') text = `start ${text ?? hole}`;
        if (text !== undefined) fact.command = readCommandLine(text);
        const code = dashC(args);
        if (code !== undefined && fact.command !== undefined && !fact.command.python.includes(code)) fact.command.python.push(code);
        // A dropped file counts only as the program run (`./x`, `start x`, `sh x`, `chmod +x x`), not as the
        // argument of another program (`tar xzf download.tar.gz` after checking its hash).
        if ((fact.taint & taints.dropped) !== 0 && !runsDropped(args, text, droppedPaths)) fact.taint &= ~taints.dropped;
        // A whole command line that came from the network is still a command: its text is what the server sent.
        if (fact.command === undefined && args !== undefined && args.kind !== 'list' && (args.t & taints.network) !== 0) fact.command = readCommandLine(hole);
      } else if (sink === 'network') {
        // Where it goes: the URL argument, else what the client object was made with (a webhook's URL). An
        // http.client connection's request goes to the host it was made with, at the path of its second argument.
        const connection = /HTTPS?Connection\(\)\.(?:request|putrequest)$/.test(fn.name) && fn.self !== undefined;
        const url = connection
          ? joinedUrl(fn.self!, positional[1] ? evaluator.evaluate(positional[1]) : undefined)
          : (first ?? (keyword('url') ? evaluator.evaluate(keyword('url')!) : undefined) ?? (fn.self !== undefined && textOf(fn.self) !== undefined ? fn.self : undefined));
        const text = url === undefined ? undefined : textOf(url);
        if (text !== undefined) fact.url = text;
        if (url !== undefined) fact.urlTaint = url.t;
        // A DNS lookup sends data only in a name under someone's domain, not when it resolves the host's own name.
        if (dnsLookups.has(fn.name) && (text === undefined || !/\.[a-z0-9-]+\.[a-z]{2,}/i.test(text.split(hole).pop() ?? ''))) continue;
        if (sendsWalletSecret(model, argNodes)) fact.taint |= taints.store;
        // A helper's URL parameter: each address a caller passes is a request of its own, made from where it calls.
        const urlNode = connection ? undefined : (positional[0] ?? keyword('url'));
        if (urlNode?.type === 'identifier') fromCallers.push(...requestsFromCallers(evaluator, urlNode, fact));
      } else if (sink === 'write') {
        // The path: the open() handle's, or the destination argument of a copy or a download.
        const path = fn.self ?? (positional[1] ? evaluator.evaluate(positional[1]) : undefined);
        if (path !== undefined) fact.value = path;
        // What is written: the data of a write, the source of a copy (a tainted path is not tainted data).
        const data = fn.self !== undefined ? positional : positional.slice(0, 1);
        fact.taint = data.reduce((t, a) => t | evaluator.evaluate(a).t, 0);
        const text = /\.(write|write_bytes|write_text)$/.test(fn.name) && positional.length === 1 ? textOf(evaluator.evaluate(positional[0]!)) : undefined;
        if (text !== undefined && text.replace(hole, '').length >= 16) fact.written = text;
        // A download from the Python packaging hosts themselves (an installer script bootstrapping pip or
        // virtualenv) is not a second stage someone else serves.
        if (/urlretrieve|wget\.download/.test(fn.name) && !packagingHosts.test((first && textOf(first)) ?? '')) fact.taint |= taints.network;
      }
      facts.push(fact, ...fromCallers);
      // A curl, wget or DNS lookup on a command line is a network call too: what reaches it is sent where it names.
      if (sink === 'process' && fact.command !== undefined) {
        for (const send of commandSends(fact.command.text)) facts.push({ ...fact, sink: 'network', callee: send.callee, url: send.url, taint: fact.taint | send.taint });
      }
      }
    }
    return facts;
  };

  let droppedPaths: string[] = [];
  // Names are keyed by the scope that binds them, so that a `path` in one function is not another's.
  const keyOf = (n: Node): string => `${model.bindingScope(n.text, n)}:${n.text}`;
  /** The names that hold a written file (the file object, the path opened) and its path when it folds. */
  const fileOf = (f: Fact): { names: string[]; path?: string } => {
    const names: string[] = [];
    const text = textOf(f.value);
    const path = text === undefined ? undefined : text.includes(hole) ? knownPathPart(text) : text.length >= 4 ? text : undefined;
    // `f = open(path, 'wb')` or `with open(path, 'wb') as f`: path names the dropped file too.
    const addFileObject = (file: Node): void => {
      names.push(keyOf(file));
      for (const bound of model.valuesOf(file.text, f.node)) {
        const opened = bound.type === 'call' ? bound.childForFieldName('arguments')?.namedChildren[0] : undefined;
        if (opened?.type === 'identifier') {
          names.push(keyOf(opened));
          names.push(...callerNames(opened));
        }
      }
    };
    // A path that is a parameter (`def install(path): open(path, "wb")…`) names what its callers pass: the dropped
    // file is `install(target)`'s target, which `run(target)` then starts.
    const callerNames = (param: Node): string[] => {
      const fn = model.parameterOf(param.text, param);
      return (fn === undefined ? [] : model.argumentsFor(fn, param.text)).filter((arg) => arg.type === 'identifier').map(keyOf);
    };
    const receiver = f.node.childForFieldName('function')?.childForFieldName('object');
    // A method on a file object (`f.write`), not a module function (`shutil.copy`).
    if (receiver?.type === 'identifier' && /\.(write|write_bytes|write_text|writelines)$/.test(f.callee) && !model.aliases.has(receiver.text)) addFileObject(receiver);
    const pathArg = f.node.childForFieldName('arguments')?.namedChildren[1];
    if (pathArg?.type === 'identifier' && !/\.(write|write_bytes|write_text|writelines)$/.test(f.callee)) {
      if (f.callee === 'shutil.copyfileobj') addFileObject(pathArg);
      else names.push(keyOf(pathArg));
    }
    return { names, ...(path !== undefined ? { path } : {}) };
  };
  // Pass 1: files written with downloaded or decoded data, and files written from literals.
  const first = new Evaluator(model, undefined, constantOf);
  const writes = collect(first, 'write');
  const dropped = writes.filter((f) => (f.taint & (taints.network | taints.decoded)) !== 0);
  const evaluator = new Evaluator(model, undefined, constantOf);
  if (dropped.length > 0) {
    const names = new Set<string>();
    const paths = new Set<string>();
    for (const f of dropped) {
      const file = fileOf(f);
      for (const n of file.names) names.add(n);
      if (file.path !== undefined) paths.add(file.path);
    }
    followMoves(model, first, names, paths, keyOf);
    evaluator.markDropped(names, paths);
    droppedPaths = [...paths];
  }
  const facts = collect(evaluator);
  const scripts = writes.filter((f) => f.written !== undefined && !dropped.includes(f)).slice(0, 8);
  if (scripts.length > 0) {
    const files = scripts.map((f) => ({ ...fileOf(f), text: f.written! }));
    for (const fact of facts) {
      if (fact.sink !== 'process') continue;
      const argKeys = new Set((fact.node.childForFieldName('arguments')?.descendantsOfType('identifier') ?? []).filter((n): n is Node => n !== null).map(keyOf));
      const command = fact.command?.text ?? '';
      const run = files.filter((file) => file.names.some((n) => argKeys.has(n)) || (file.path !== undefined && command.includes(file.path.replace(/^.*[\\/]/, ''))));
      if (run.length === 0) continue;
      fact.scripts = run.map((file) => file.text);
      // A shell script it writes and then runs (`bash /tmp/x.sh`) is read as the commands it holds.
      const shell = run.filter((file) => shellScript.test(file.path ?? '') || shellRunner.test(command)).map((file) => file.text);
      if (shell.length > 0) fact.command = readCommandLine([command, ...shell].join('\n'));
    }
  }
  markCommandDrops(facts);
  return facts;
}

export { moduleScope };
