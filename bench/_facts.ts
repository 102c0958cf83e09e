import { readFileSync } from 'node:fs';
import { Rulebook } from '/work/wt-r3/src/analyze/rulebook/rulebook.js';
import { ModuleModel } from '/work/wt-r3/src/analyze/flow/module-model.js';
import { moduleFacts } from '/work/wt-r3/src/analyze/flow/facts.js';
import { textOf, taintsOf } from '/work/wt-r3/src/analyze/unpack/value.js';
const book = await Rulebook.load();
const text = readFileSync(process.argv[2]!, 'utf8');
const tree = book.parser.parse(text);
const model = new ModuleModel(tree.rootNode);
for (const f of moduleFacts(model, (process.argv[3] ?? 'package') as 'package')) {
  console.log(f.node.startPosition.row + 1, f.sink, f.callee, f.context, 'taint=' + taintsOf(f.taint).join(','), 'value=' + JSON.stringify(textOf(f.value))?.slice(0, 120), f.command ? 'cmd=' + f.command.text.slice(0, 150) : '', f.url ? 'url=' + f.url : '', f.scripts ? 'scripts' : '');
}
