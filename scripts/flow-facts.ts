/**
 * Prints the data-flow facts of one Python file, for whoever writes or debugs
 * a behaviour rule: each call that runs code, starts a process, uses the
 * network or writes a file, where it runs, what taints reach it, and the
 * value, command or URL the engine folded for it. Reads the file as data.
 *
 * Run: node --import tsx scripts/flow-facts.ts FILE.py [setup|package|unshipped]
 *   (the role: `setup` reads it as setup.py is read, at install time)
 */
import { readFileSync } from 'node:fs';
import { Rulebook } from '../src/analyze/rulebook/rulebook.js';
import { ModuleModel } from '../src/analyze/flow/module-model.js';
import { moduleFacts } from '../src/analyze/flow/facts.js';
import type { FileRole } from '../src/analyze/context.js';
import { textOf, taintsOf } from '../src/analyze/unpack/value.js';

const [file, role = 'package'] = process.argv.slice(2);
if (file === undefined || !['setup', 'package', 'unshipped'].includes(role)) {
  console.error('usage: scripts/flow-facts.ts FILE.py [setup|package|unshipped]');
  process.exit(2);
}
const book = await Rulebook.load();
const tree = book.parser.parse(readFileSync(file, 'utf8'));
try {
  for (const f of moduleFacts(new ModuleModel(tree.rootNode), role as FileRole)) {
    const value = textOf(f.value);
    console.log(
      [
        `${f.node.startPosition.row + 1}`,
        f.sink,
        f.callee,
        f.context,
        `taints=${taintsOf(f.taint).join(',') || '-'}`,
        value !== undefined ? `value=${JSON.stringify(value.slice(0, 160))}` : '',
        f.command ? `command=${JSON.stringify(f.command.text.slice(0, 160))}` : '',
        f.url !== undefined ? `url=${f.url.slice(0, 160)}` : '',
        f.scripts ? `scripts=${f.scripts.length}` : '',
      ]
        .filter((x) => x !== '')
        .join('  '),
    );
  }
} finally {
  tree.delete();
}
