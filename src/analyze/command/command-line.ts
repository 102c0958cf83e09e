/**
 * A command line that reaches os.system, subprocess or Popen, read as a
 * command: the shell's separators split it into simple commands, PowerShell's
 * `-EncodedCommand` (and its abbreviations) is decoded from base64 UTF-16LE,
 * and the code of `python -c` is kept to be scanned as Python. Command rules
 * (rules/*.yaml with `behaviour: process` and a `command` regex) then match
 * the normalized text, which holds every decoded layer after the original.
 */
import { powershellEncoded } from '../unpack/decoders.js';

export interface CommandLine {
  /** The command as given, then each decoded PowerShell script on a line of its own. */
  text: string;
  /** Decoded layers, outermost first: what `-EncodedCommand` hid. */
  layers: Array<{ via: string; text: string }>;
  /** Code passed to `python -c`, to be scanned as Python. */
  python: string[];
}

/** PowerShell accepts any unambiguous prefix of -EncodedCommand, down to -e and -ec. */
const encodedFlag = /(?:^|\s)[-/](?:e|ec|en|enc|enco|encod|encode|encoded|encodedc|encodedco|encodedcom|encodedcomm|encodedcomma|encodedcomman|encodedcommand)\s+["']?([A-Za-z0-9+/=]{8,})/gi;
const pythonDashC = /\bpython(?:[\d.]*|w)?(?:\.exe)?["']?\s+(?:-[A-Za-z]+\s+)*-c\s+(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')/g;

/** The largest command text read; a longer one is cut (it is still matched up to here). */
const maxCommandChars = 1024 * 1024;

export function readCommandLine(command: string, depth = 0): CommandLine {
  const text = command.length > maxCommandChars ? command.slice(0, maxCommandChars) : command;
  const layers: CommandLine['layers'] = [];
  const python: string[] = [];
  for (const m of text.matchAll(encodedFlag)) {
    const script = powershellEncoded(m[1]!);
    if (script === undefined) continue;
    layers.push({ via: 'powershell -EncodedCommand', text: script });
    if (depth < 2) {
      const inner = readCommandLine(script, depth + 1);
      layers.push(...inner.layers);
      python.push(...inner.python);
    }
  }
  for (const m of text.matchAll(pythonDashC)) python.push((m[1] ?? m[2] ?? '').replace(/\\(["'\\])/g, '$1').replace(/\\n/g, '\n'));
  return { text: [text, ...layers.map((l) => l.text)].join('\n'), layers, python };
}

/** Links and domains made inert for display: `hxxps://example[.]com`. */
export function defang(text: string): string {
  return text.replace(/\b(http|ftp)(s?):\/\/([^\s/'"]+)/gi, (_m, scheme: string, s: string, host: string) => `${scheme.replace(/t/gi, 'x')}${s}://${host.replace(/\./g, '[.]')}`);
}
