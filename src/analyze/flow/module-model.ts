/**
 * What one Python module binds: its imports (local name -> qualified name),
 * its assignments per scope, its functions and classes, the calls it makes,
 * and where each statement runs. Built in one pass over the nodes
 * tree-sitter returns in document order (no recursion, so a deeply nested
 * file cannot exhaust the stack). Scopes are found by position, never by
 * walking up the tree: tree-sitter finds a node's parent from the root, so
 * parent walks cost the square of the depth on every node. The evaluator
 * reads the model to resolve names; nothing here interprets values.
 */
import type { Node } from 'web-tree-sitter';

/** The key of the module's own scope; a function's scope is its start offset. */
export const moduleScope = -1;

/** A function, method or lambda of the module, by position. */
export interface FunctionInfo {
  node: Node;
  start: number;
  end: number;
  lambda: boolean;
  /** The name of a `def` (lambdas have none). */
  name?: string;
  /** The class whose body defines it (a method), when there is one. */
  className?: string;
  /** The nearest enclosing function or lambda. */
  parent?: FunctionInfo;
  /** Its parameter names, in order (`self` included). */
  params: string[];
  /** Names of the local functions and methods it calls (`f()`, `self.f()`, `Cls()` as `Cls.__init__`). */
  calls: Set<string>;
  /** Its first return statements in document order (nested functions' included), read once for the data flow. */
  returns: Node[];
}

/** How many return statements of a function the data flow evaluates. */
const maxReturns = 8;

/** A call site: the call and the name it calls by (`f` for `f()`, `m` for `x.m()`). */
export interface CallSite {
  node: Node;
  /** The callee's own name: the identifier, or an attribute's last name; undefined for computed callees. */
  name?: string;
  /** The callee node's type (`identifier`, `attribute`, `subscript`, …). */
  calleeType: string;
  /** For `x.m()`, whether x is `self` or `cls` (a method of the same class). */
  onSelf: boolean;
}

const selfNames = new Set(['self', 'cls']);

export class ModuleModel {
  /** Local name -> qualified name: `import base64 as b` gives b -> base64, `from os import system` gives system -> os.system. */
  readonly aliases = new Map<string, string>();
  /** Names a `from M import N` binds: the module as written (`._utils.signing`, relative dots kept) and the name there. */
  readonly importedFrom = new Map<string, { module: string; name: string }>();
  /** Per scope, each name's assigned value nodes in source order. */
  readonly bindings = new Map<number, Map<string, Node[]>>();
  /** Functions by name, wherever defined (module level or as methods); lambdas assigned to a name too. */
  readonly functions = new Map<string, Node>();
  /** Every function by name, methods of every class included (`__init__` may be many). */
  readonly functionsByName = new Map<string, FunctionInfo[]>();
  /** Functions and lambdas in document order (so sorted by start). */
  readonly scopes: FunctionInfo[] = [];
  /** Every call, in source order. */
  readonly calls: CallSite[] = [];
  /** Calls by the callee's own name, for the values a parameter receives. */
  readonly callsByName = new Map<string, CallSite[]>();
  /** Values assigned to attributes anywhere (`self.token = v`, `obj.url = v`), by attribute name. */
  readonly attributes = new Map<string, Node[]>();
  /** Every name assigned anywhere in the module. */
  readonly assignedNames = new Set<string>();
  /** Class names defined in the module. */
  readonly classes = new Set<string>();
  /** Local functions that run when the module is imported: called from module level, or from one that is, transitively. */
  readonly importTime = new Set<FunctionInfo>();
  private readonly mainGuards: Array<[number, number]> = [];
  private readonly byStart = new Map<number, FunctionInfo>();

  constructor(readonly root: Node) {
    const text = root.text;
    const types = ['import_statement', 'import_from_statement', 'assignment', 'augmented_assignment', 'with_item', 'function_definition', 'lambda', 'class_definition', 'call', 'for_statement', 'return_statement'];
    if (text.includes('__main__')) types.push('if_statement');
    // Open functions and classes around the current node (document order is pre-order: a node comes before its descendants).
    const open: FunctionInfo[] = [];
    const classes: Array<{ name: string; start: number; end: number }> = [];
    const moduleCalls = new Set<string>();
    for (const node of root.descendantsOfType(types)) {
      if (node === null) continue;
      const at = node.startIndex;
      while (open.length > 0 && open[open.length - 1]!.end <= at) open.pop();
      while (classes.length > 0 && classes[classes.length - 1]!.end <= at) classes.pop();
      const fn = open[open.length - 1];
      const scope = fn?.start ?? moduleScope;
      switch (node.type) {
        case 'import_statement':
          this.addImport(node, '');
          break;
        case 'import_from_statement': {
          const from = node.childForFieldName('module_name')?.text ?? '';
          this.addImport(node, from.startsWith('.') ? '' : from);
          this.addImportedFrom(node, from);
          break;
        }
        case 'assignment':
        case 'augmented_assignment':
          this.addAssignment(node, scope);
          break;
        case 'with_item': {
          const value = node.childForFieldName('value');
          if (value?.type === 'as_pattern') {
            const target = value.namedChildren.find((c) => c?.type === 'as_pattern_target')?.namedChildren[0];
            const source = value.namedChildren[0];
            if (target?.type === 'identifier' && source) this.bind(scope, target.text, source);
          }
          break;
        }
        case 'for_statement': {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left?.type === 'identifier' && right) this.bind(scope, left.text, right);
          break;
        }
        case 'return_statement':
          // What a call of the function gives: collected here once rather than searched for at every call evaluated.
          for (const f of open) if (f.returns.length < maxReturns) f.returns.push(node);
          break;
        case 'if_statement': {
          const condition = node.childForFieldName('condition')?.text ?? '';
          if (/__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__/.test(condition)) this.mainGuards.push([at, node.endIndex]);
          break;
        }
        case 'class_definition': {
          const name = node.childForFieldName('name')?.text;
          if (name !== undefined) {
            this.classes.add(name);
            classes.push({ name, start: at, end: node.endIndex });
          }
          break;
        }
        case 'function_definition':
        case 'lambda': {
          const lambda = node.type === 'lambda';
          if (lambda && !node.isNamed) break; // the `lambda` keyword has the type name of the expression it starts
          const name = lambda ? undefined : node.childForFieldName('name')?.text;
          // A method is a def whose nearest enclosing block is a class body, not a function.
          const cls = classes[classes.length - 1];
          const className = !lambda && cls !== undefined && (fn === undefined || cls.start > fn.start) ? cls.name : undefined;
          const info: FunctionInfo = {
            node,
            start: at,
            end: node.endIndex,
            lambda,
            ...(name !== undefined ? { name } : {}),
            ...(className !== undefined ? { className } : {}),
            ...(fn !== undefined ? { parent: fn } : {}),
            params: paramNames(node),
            calls: new Set(),
            returns: [],
          };
          this.scopes.push(info);
          this.byStart.set(at, info);
          open.push(info);
          if (name !== undefined) {
            if (!this.functions.has(name)) this.functions.set(name, node);
            const list = this.functionsByName.get(name);
            if (list === undefined) this.functionsByName.set(name, [info]);
            else list.push(info);
          }
          break;
        }
        case 'call': {
          const callee = node.childForFieldName('function');
          const calleeType = callee?.type ?? '';
          let name: string | undefined;
          let onSelf = false;
          let object: Node | null | undefined;
          if (calleeType === 'identifier') name = callee!.text;
          else if (calleeType === 'attribute') {
            name = callee!.childForFieldName('attribute')?.text;
            object = callee!.childForFieldName('object');
            onSelf = object?.type === 'identifier' && selfNames.has(object.text);
          }
          const site: CallSite = { node, calleeType, onSelf, ...(name !== undefined ? { name } : {}) };
          this.calls.push(site);
          if (name !== undefined) {
            const list = this.callsByName.get(name);
            if (list === undefined) this.callsByName.set(name, [site]);
            else if (list.length < 32) list.push(site);
            // What runs: `f()`, `self.f()` and `Cls.f()` call a local function; `Cls()` runs its __init__.
            const local = calleeType === 'identifier' || onSelf || (object?.type === 'identifier' && this.classes.has(object.text));
            if (local) {
              const target = calleeType === 'identifier' && this.classes.has(name) ? `${name}.__init__` : name;
              if (fn !== undefined) outermost(fn).calls.add(target);
              else if (!this.inMainGuard(at)) moduleCalls.add(target);
            }
            // A function handed to a thread, a timer or atexit runs as surely as one called: `Thread(target=f).start()`.
            const handed = runners.has(name) ? handedFunction(node, name) : undefined;
            if (handed !== undefined) {
              if (fn !== undefined) outermost(fn).calls.add(handed);
              else if (!this.inMainGuard(at)) moduleCalls.add(handed);
            }
          }
          // `x.append(v)` and `x.update(v)` add to what x holds, for the data flow.
          if (calleeType === 'attribute' && object?.type === 'identifier' && name !== undefined && containerMethods.has(name)) {
            const arg = node.childForFieldName('arguments')?.namedChildren[0];
            if (arg) this.bind(scope, object.text, arg);
          }
          break;
        }
      }
    }
    this.markImportTime(moduleCalls);
  }

  /** Functions reachable from module-level calls run at import time (and at install time in setup.py). */
  private markImportTime(seeds: Set<string>): void {
    const queue = [...seeds];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const dot = name.indexOf('.');
      const found = dot >= 0 ? (this.functionsByName.get(name.slice(dot + 1)) ?? []).filter((f) => f.className === name.slice(0, dot)) : (this.functionsByName.get(name) ?? []);
      for (const f of found) {
        if (f.parent !== undefined) continue; // nested functions run with the function around them
        this.importTime.add(f);
        for (const c of f.calls) queue.push(c);
      }
    }
  }


  private addImportedFrom(node: Node, from: string): void {
    if (from === '') return;
    for (const child of node.namedChildren) {
      if (child === null || child.type === 'relative_import' || child.startIndex === node.childForFieldName('module_name')?.startIndex) continue;
      const name = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.type === 'dotted_name' ? child.text : undefined;
      const local = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : name;
      if (name !== undefined && local !== undefined && !name.includes('.')) this.importedFrom.set(local, { module: from, name });
    }
  }
  private addImport(node: Node, from: string): void {
    const moduleName = node.childForFieldName('module_name');
    for (const child of node.namedChildren) {
      if (child === null || (moduleName !== null && child.startIndex === moduleName.startIndex)) continue;
      let name: string | undefined;
      let alias: string | undefined;
      if (child.type === 'aliased_import') {
        name = child.childForFieldName('name')?.text;
        alias = child.childForFieldName('alias')?.text;
      } else if (child.type === 'dotted_name') {
        name = child.text;
      }
      if (name === undefined) continue;
      const qualified = from === '' ? name : `${from}.${name}`;
      // `import os.path` binds `os`; `import os.path as p` binds p to os.path.
      if (alias !== undefined) this.aliases.set(alias, qualified);
      else if (from === '') this.aliases.set(name.split('.')[0]!, name.split('.')[0]!);
      else this.aliases.set(name, qualified);
    }
  }

  private addAssignment(node: Node, scope: number): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return;
    if (left.type === 'identifier') {
      this.bind(scope, left.text, right);
      if (right.type === 'lambda' && !this.functions.has(left.text)) this.functions.set(left.text, right);
    } else if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && (right.type === 'expression_list' || right.type === 'tuple')) {
      const names = left.namedChildren;
      const values = right.namedChildren;
      names.forEach((n, i) => {
        const v = values[i];
        if (n?.type === 'identifier' && v) this.bind(scope, n.text, v);
      });
    } else if (left.type === 'subscript' || left.type === 'attribute') {
      // d['k'] = v and o.a = v add to what d and o hold; o.a = v is also what `.a` reads anywhere.
      const base = left.childForFieldName(left.type === 'subscript' ? 'value' : 'object');
      if (base?.type === 'identifier') this.bind(scope, base.text, right);
      if (left.type === 'attribute') {
        const attr = left.childForFieldName('attribute')?.text;
        if (attr !== undefined) {
          const list = this.attributes.get(attr);
          if (list === undefined) this.attributes.set(attr, [right]);
          else if (list.length < 16) list.push(right);
        }
      }
    }
  }

  private bind(scope: number, name: string, value: Node): void {
    this.assignedNames.add(name);
    let names = this.bindings.get(scope);
    if (names === undefined) this.bindings.set(scope, (names = new Map()));
    const list = names.get(name);
    if (list === undefined) names.set(name, [value]);
    else if (list.length < 64) list.push(value);
  }

  /** The innermost function or lambda whose body holds the offset `at`. */
  functionAt(at: number): FunctionInfo | undefined {
    // The last scope starting before `at`, then out through its parents to one that still holds it.
    let lo = 0;
    let hi = this.scopes.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.scopes[mid]!.start < at) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let f = found >= 0 ? this.scopes[found] : undefined; f !== undefined; f = f.parent) if (at < f.end) return f;
    return undefined;
  }

  /** The function (or lambda) starting at `start`. */
  functionStartingAt(start: number): FunctionInfo | undefined {
    return this.byStart.get(start);
  }

  /** The nearest enclosing function or lambda of `node` (its start offset), or the module scope. */
  scopeOf(node: Node): number {
    return this.functionAt(node.startIndex)?.start ?? moduleScope;
  }

  /** The outermost enclosing `def` of `node`, so that a closure shares the scope of the function that defines it. */
  outerFunctionOf(node: Node): FunctionInfo | undefined {
    let outer: FunctionInfo | undefined;
    for (let f = this.functionAt(node.startIndex); f !== undefined; f = f.parent) if (!f.lambda) outer = f;
    return outer;
  }

  /** The outermost enclosing `def` (its start offset), or the module scope: where combinations meet. */
  outerScopeOf(node: Node): number {
    return this.outerFunctionOf(node)?.start ?? moduleScope;
  }

  /** True inside `if __name__ == "__main__":`, which runs when the file is a script, not when it is imported. */
  inMainGuard(at: number): boolean {
    for (const [start, end] of this.mainGuards) if (start < at && at < end) return true;
    return false;
  }

  /** The scope whose assignments a use of `name` at `at` reads: the nearest function that binds it, else the module. */
  bindingScope(name: string, at: Node): number {
    for (let f = this.functionAt(at.startIndex); f !== undefined; f = f.parent) {
      if (this.bindings.get(f.start)?.has(name) || f.params.includes(name)) return f.start;
    }
    return moduleScope;
  }

  /** The value nodes a name may hold at `at`: its own scope's, else the module's; a parameter holds none. */
  valuesOf(name: string, at: Node): Node[] {
    for (let f = this.functionAt(at.startIndex); f !== undefined; f = f.parent) {
      const own = this.bindings.get(f.start)?.get(name);
      if (own !== undefined) return own;
      if (f.params.includes(name)) return [];
    }
    return this.bindings.get(moduleScope)?.get(name) ?? [];
  }

  /**
   * The argument nodes the module's call sites pass for parameter `name` of
   * `fn` (by keyword or by position), at most eight: a function is called by
   * its name, a method through self or its class (`Cls()` for `__init__`);
   * other `x.name()` calls are other functions, and a call that splats its
   * arguments says nothing about positions.
   */
  argumentsFor(fn: FunctionInfo, name: string): Node[] {
    const index = fn.params.indexOf(name);
    const isMethod = fn.className !== undefined && (fn.params[0] === 'self' || fn.params[0] === 'cls');
    const position = isMethod ? index - 1 : index;
    const out: Node[] = [];
    const sites = fn.name === undefined ? [] : fn.name === '__init__' && fn.className !== undefined ? (this.callsByName.get(fn.className) ?? []) : (this.callsByName.get(fn.name) ?? []);
    for (const site of sites) {
      if (fn.className === undefined ? site.calleeType !== 'identifier' : !(site.onSelf || fn.name === '__init__')) continue;
      const argNodes = site.node.childForFieldName('arguments')?.namedChildren ?? [];
      let arg: Node | undefined;
      for (const a of argNodes) {
        if (a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) arg = a.childForFieldName('value') ?? undefined;
      }
      if (arg === undefined && position >= 0) {
        const positional = argNodes.filter((a): a is Node => a !== null && a.type !== 'keyword_argument' && a.type !== 'comment');
        if (positional.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) continue;
        arg = positional[position];
      }
      if (arg !== undefined) out.push(arg);
      if (out.length >= 8) break;
    }
    return out;
  }

  /** The function whose parameter `name` a use at `at` reads, when it is one. */
  parameterOf(name: string, at: Node): FunctionInfo | undefined {
    for (let f = this.functionAt(at.startIndex); f !== undefined; f = f.parent) {
      if (this.bindings.get(f.start)?.has(name)) return undefined;
      if (f.params.includes(name)) return f;
    }
    return undefined;
  }
}

/** Calls that run a function they are handed: threads, processes, timers, exit handlers, executors and pools. */
const runners = new Set(['Thread', 'Process', 'Timer', 'register', 'start_new_thread', 'submit', 'apply_async', 'run_in_executor']);

/** The name of the local function a runner call is handed (`target=f`, `Timer(5, f)`, `atexit.register(f)`, `executor.submit(f)`). */
function handedFunction(call: Node, name: string): string | undefined {
  const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => a !== null);
  const keyword = args.find((a) => a.type === 'keyword_argument' && /^(target|function)$/.test(a.childForFieldName('name')?.text ?? ''))?.childForFieldName('value');
  const positional = args.filter((a) => a.type !== 'keyword_argument');
  const candidate =
    keyword ?? (name === 'Timer' || name === 'run_in_executor' ? positional[1] : name === 'register' || name === 'start_new_thread' || name === 'submit' || name === 'apply_async' ? positional[0] : undefined);
  return candidate?.type === 'identifier' ? candidate.text : undefined;
}

/** Methods through which a container takes in a value. */
const containerMethods = new Set(['append', 'extend', 'update', 'write', 'add', 'insert']);

function outermost(f: FunctionInfo): FunctionInfo {
  let out = f;
  while (out.parent !== undefined) out = out.parent;
  return out;
}

export function paramNames(fn: Node): string[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  const out: string[] = [];
  for (const p of params.namedChildren) {
    if (p === null) continue;
    if (p.type === 'identifier') out.push(p.text);
    else {
      const name = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
      if (name) out.push(name.text);
    }
  }
  return out;
}
