// Positions in a flags file (YAML or JSON, both read through the YAML parser) for problems found after parsing:
// where each flag and segment is written.
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

/**
 * Finds flags and segments in the text of a flags file.
 * @example
 * new FlagsFileLocator(text).flag('new-pricing'); // { line: 3, column: 3 }
 */
export class FlagsFileLocator {
  private readonly lineCounter = new LineCounter();
  private readonly document: Document;
  private flagIndex: Map<string, Position> | undefined;

  constructor(text: string) {
    this.document = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: false, merge: true });
  }

  /** Where a flag is defined: its key under `flags:`, or its `features[]` entry. */
  flag(name: string): Position | undefined {
    this.flagIndex ??= this.indexFlags();
    return this.flagIndex.get(name);
  }

  /** Where a segment is defined: its key under `segments:`, or the `segments[]` entry with this id. */
  segment(id: number | string): Position | undefined {
    const segments = this.topLevel('segments');
    if (isMap(segments)) {
      const pair = segments.items.find((item) => isScalar(item.key) && String(item.key.value) === String(id));
      return pair ? this.position(pair.key) : undefined;
    }
    if (isSeq(segments)) {
      for (const item of segments.items) {
        if (isMap(item) && String(scalarOf(item, 'id')) === String(id)) return this.position(item);
      }
    }
    return undefined;
  }

  private indexFlags(): Map<string, Position> {
    const index = new Map<string, Position>();
    const flags = this.topLevel('flags');
    if (isMap(flags)) {
      for (const pair of flags.items) {
        const at = this.position(pair.key);
        if (isScalar(pair.key) && at) index.set(String(pair.key.value), at);
      }
    }
    const features = this.topLevel('features');
    if (isSeq(features)) {
      for (const item of features.items) {
        const name = isMap(item) ? scalarOf(item, 'name') : undefined;
        const at = this.position(item);
        if (name !== undefined && at && !index.has(String(name))) index.set(String(name), at);
      }
    }
    return index;
  }

  private topLevel(key: string): unknown {
    const contents = this.document.contents;
    if (!isMap(contents)) return undefined;
    return contents.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.value;
  }

  private position(node: unknown): Position | undefined {
    const offset = (node as Node | null | undefined)?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

function scalarOf(map: { items: { key: unknown; value: unknown }[] }, key: string): unknown {
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  return pair && isScalar(pair.value) ? pair.value.value : undefined;
}
