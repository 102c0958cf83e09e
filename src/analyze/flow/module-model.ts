/**
 * What one Python module binds: its imports (local name -> qualified name),
 * its assignments per scope, its functions, and where each statement runs.
 * Built in one iterative pass over the tree-sitter tree (no recursion, so a
 * deeply nested file cannot exhaust the stack). The evaluator reads it to
 * resolve names; nothing here interprets values.
 */
import type { Node } from 'web-tree-sitter';

/** The key of the module's own scope; a function's scope is its start offset. */
export const moduleScope = -1;

export class ModuleModel {
  /** Local name -> qualified name: `import base64 as b` gives b -> base64, `from os import system` gives system -> os.system. */
  readonly aliases = new Map<string, string>();
  /** Per scope, each name's assigned value nodes in source order. */
  readonly bindings = new Map<number, Map<string, Node[]>>();
  /** Functions by name, wherever defined (module level or as methods); lambdas assigned to a name too. */
  readonly functions = new Map<string, Node>();
  /** Every call node, in source order. */
  readonly calls: Node[] = [];
  /** Names of local functions called from module level (they run at import or install time). */
  readonly calledAtModuleLevel = new Set<string>();
  /** Every name assigned anywhere in the module. */
  readonly assignedNames = new Set<string>();

  constructor(readonly root: Node) {
    for (const node of root.descendantsOfType([
      'import_statement',
      'import_from_statement',
      'assignment',
      'augmented_assignment',
      'with_item',
      'function_definition',
      'call',
      'for_statement',
    ])) {
      if (node === null) continue;
      switch (node.type) {
        case 'import_statement':
          this.addImport(node, '');
          break;
        case 'import_from_statement': {
          const from = node.childForFieldName('module_name')?.text ?? '';
          this.addImport(node, from.startsWith('.') ? '' : from);
          break;
        }
        case 'assignment':
        case 'augmented_assignment':
          this.addAssignment(node);
          break;
        case 'with_item': {
          const value = node.childForFieldName('value');
          if (value?.type === 'as_pattern') {
            const target = value.namedChildren.find((c) => c?.type === 'as_pattern_target')?.namedChildren[0];
            const source = value.namedChildren[0];
            if (target?.type === 'identifier' && source) this.bind(scopeOf(node), target.text, source);
          }
          break;
        }
        case 'for_statement': {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left?.type === 'identifier' && right) this.bind(scopeOf(node), left.text, right);
          break;
        }
        case 'function_definition': {
          const name = node.childForFieldName('name')?.text;
          if (name !== undefined && !this.functions.has(name)) this.functions.set(name, node);
          break;
        }
        case 'call': {
          this.calls.push(node);
          const fn = node.childForFieldName('function');
          if (fn?.type === 'identifier' && scopeOf(node) === moduleScope && !underMainGuard(node)) this.calledAtModuleLevel.add(fn.text);
          // `x.append(v)` and `x.update(v)` add to what x holds, for the data flow.
          if (fn?.type === 'attribute') {
            const obj = fn.childForFieldName('object');
            const method = fn.childForFieldName('attribute')?.text;
            const arg = node.childForFieldName('arguments')?.namedChildren[0];
            if (obj?.type === 'identifier' && arg && (method === 'append' || method === 'extend' || method === 'update' || method === 'write' || method === 'add')) {
              this.bind(scopeOf(node), obj.text, arg);
            }
          }
          break;
        }
      }
    }
  }

  private addImport(node: Node, from: string): void {
    for (const child of node.namedChildren) {
      if (child === null || child === node.childForFieldName('module_name')) continue;
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

  private addAssignment(node: Node): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return;
    const scope = scopeOf(node);
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
      // d['k'] = v and o.a = v add to what d and o hold.
      const base = left.childForFieldName(left.type === 'subscript' ? 'value' : 'object');
      if (base?.type === 'identifier') this.bind(scope, base.text, right);
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

  /** The scope whose assignments a use of `name` at `at` reads: the nearest function that binds it, else the module. */
  bindingScope(name: string, at: Node): number {
    for (let n: Node | null = at; n !== null; n = n.parent) {
      if (n.type !== 'function_definition' && n.type !== 'lambda') continue;
      if (this.bindings.get(n.startIndex)?.has(name) || paramNames(n).includes(name)) return n.startIndex;
    }
    return moduleScope;
  }

  /** The value nodes a name may hold at `at`: its own scope's, else the module's. */
  valuesOf(name: string, at: Node): Node[] {
    for (let n: Node | null = at; n !== null; n = n.parent) {
      if (n.type !== 'function_definition' && n.type !== 'lambda') continue;
      const own = this.bindings.get(n.startIndex)?.get(name);
      if (own !== undefined) return own;
      if (paramNames(n).includes(name)) return [];
    }
    return this.bindings.get(moduleScope)?.get(name) ?? [];
  }
}

/** True inside `if __name__ == "__main__":`, which runs when the file is a script, not when it is imported. */
export function underMainGuard(node: Node): boolean {
  for (let n = node.parent; n !== null; n = n.parent) {
    if (n.type === 'if_statement' && /__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__/.test(n.childForFieldName('condition')?.text ?? '')) return true;
  }
  return false;
}

/** The nearest enclosing function (its start offset), or the module scope. */
export function scopeOf(node: Node): number {
  for (let n = node.parent; n !== null; n = n.parent) if (n.type === 'function_definition' || n.type === 'lambda') return n.startIndex;
  return moduleScope;
}

/** The outermost enclosing function (its start offset), or the module scope: closures share their parent's. */
export function outerScopeOf(node: Node): number {
  let scope = moduleScope;
  for (let n = node.parent; n !== null; n = n.parent) if (n.type === 'function_definition') scope = n.startIndex;
  return scope;
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
