/**
 * QWERTY key neighbours, for telling a slip of the finger (`requezts`) from an
 * arbitrary substitution. Only the characters a normalized project name can
 * hold (`a-z`, `0-9`, `-`) are on the map.
 */
const ROWS = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
/** How far each row is shifted right against the row above, in key widths. */
const ROW_OFFSETS = [0, 0.5, 0.75, 1.25];

const neighbours = new Map<string, Set<string>>();
{
  const keys: Array<{ ch: string; x: number; y: number }> = [];
  ROWS.forEach((row, y) => {
    for (let i = 0; i < row.length; i++) keys.push({ ch: row[i] ?? '', x: i + (ROW_OFFSETS[y] ?? 0), y });
  });
  for (const a of keys) {
    const set = new Set<string>();
    for (const b of keys) {
      if (a === b) continue;
      // Same row: the keys either side. Rows above and below: the two keys the
      // finger can land on, which are within one key width horizontally.
      const near = a.y === b.y ? Math.abs(a.x - b.x) === 1 : Math.abs(a.y - b.y) === 1 && Math.abs(a.x - b.x) < 1;
      if (near) set.add(b.ch);
    }
    neighbours.set(a.ch, set);
  }
}

/** Whether `b` is a key next to `a` on a QWERTY keyboard. */
export function isKeyboardNeighbour(a: string, b: string): boolean {
  return neighbours.get(a)?.has(b) ?? false;
}
