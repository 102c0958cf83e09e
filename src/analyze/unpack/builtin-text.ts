/**
 * What `str()` gives for the built-in objects that obfuscators index into
 * (`oct.__str__()[-3]` is "c"): CPython 3's reprs. Only objects whose text
 * does not depend on the interpreter's build are listed, plus `copyright`
 * and `credits`, whose first words every CPython 3 shares.
 */
const builtinFunctions = [
  'abs', 'all', 'any', 'ascii', 'bin', 'breakpoint', 'callable', 'chr', 'compile', 'delattr', 'dir', 'divmod', 'eval',
  'exec', 'format', 'getattr', 'globals', 'hasattr', 'hash', 'hex', 'id', 'input', 'isinstance', 'issubclass', 'iter',
  'len', 'locals', 'max', 'min', 'next', 'oct', 'ord', 'pow', 'print', 'repr', 'round', 'setattr', 'sorted', 'sum',
  'vars', 'open', '__import__', 'aiter', 'anext',
];
const builtinTypes = [
  'bool', 'bytearray', 'bytes', 'classmethod', 'complex', 'dict', 'enumerate', 'filter', 'float', 'frozenset', 'int',
  'list', 'map', 'memoryview', 'object', 'property', 'range', 'reversed', 'set', 'slice', 'staticmethod', 'str',
  'super', 'tuple', 'type', 'zip',
];

/** The names the `builtins` module always has. */
export const builtinNames: ReadonlySet<string> = new Set([...builtinFunctions, ...builtinTypes, 'copyright', 'credits', 'license', 'exit', 'quit']);

/** `str(x)` for a built-in by name, when its text is fixed. */
export function builtinText(name: string): string | undefined {
  if (builtinFunctions.includes(name)) return `<built-in function ${name}>`;
  if (builtinTypes.includes(name)) return `<class '${name}'>`;
  if (name === 'copyright') return 'Copyright (c) 2001-2023 Python Software Foundation.\nAll Rights Reserved.';
  if (name === 'credits') return '    Thanks to CWI, CNRI, BeOpen.com, Zope Corporation and a cast of thousands\n    for supporting Python development.  See www.python.org for more information.';
  if (name === 'exit' || name === 'quit') return `Use ${name}() or Ctrl-D (i.e. EOF) to exit`;
  return undefined;
}
