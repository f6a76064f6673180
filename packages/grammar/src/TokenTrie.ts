import type { Tokenizer } from "@logitstream/core";

/** Flag in {@link TokenTrie.nodeInfo}: more than one token ends at the node (tokens with equal bytes). */
export const MORE_TOKENS = 1 << 24;

/**
 * A tokenizer's vocabulary as a byte trie laid out in preorder: node k has one edge byte, a depth,
 * the index one past its subtree (`end[k]`), and the tokens whose bytes end at it. A walk of the trie
 * against an automaton is then one loop over k that jumps to `end[k]` when a byte is rejected — the
 * shared prefixes of the vocabulary are stepped once, and a rejected prefix skips every token under it.
 *
 * Method: sort the token ids by their bytes (lexicographic), then emit the nodes of each token that
 * are not shared with the previous one. References: xgrammar's sorted vocabulary with subtree ranges
 * (Dong et al. 2024, "XGrammar: flexible and efficient structured generation engine").
 */
export class TokenTrie {
  /** Vocabulary size V (ids are in [0, V)). */
  readonly vocabSize: number;
  /** Number of nodes, root included (node 0, depth 0). */
  readonly size: number;
  readonly edgeByte: Uint8Array;
  readonly depth: Uint16Array;
  /**
   * `depth << 8 | edgeByte` per node, plus {@link MORE_TOKENS}: the walk's hot loop reads one array
   * instead of three.
   */
  readonly nodeInfo: Int32Array;
  readonly end: Int32Array;
  /** First token ending at node k (−1: none); further ones via `nextToken`. */
  readonly firstToken: Int32Array;
  /** Next token with the same bytes (−1: none), indexed by token id. */
  readonly nextToken: Int32Array;
  /**
   * First token ending at node k, or ⌈V / 32⌉ × 32 — the first bit past a V-bit mask's last word —
   * when none: a walk sets that bit for every live node and needs no branch on whether a token ends
   * there (a bitset one word longer than the mask takes the spare bits).
   */
  readonly nodeToken: Int32Array;
  /** Longest token, in bytes. */
  readonly maxDepth: number;
  /**
   * The bytes of token `id` are `tokenData[tokenStart[id] .. tokenStart[id + 1])`, empty for excluded
   * ids: one flat array, so stepping a token through an automaton allocates nothing (V small arrays
   * per compiled grammar cost tens of milliseconds and as much again in garbage collection).
   */
  readonly tokenStart: Int32Array;
  readonly tokenData: Uint8Array;

  /**
   * @param tokenizer - The vocabulary (`tokenBytes(id)` for id < vocabSize).
   * @param exclude - Ids never to include (EOS and special tokens); tokens with no bytes are left out too.
   */
  constructor(
    tokenizer: Pick<Tokenizer, "vocabSize" | "tokenBytes">,
    exclude: ReadonlySet<number> = new Set(),
  ) {
    const V = tokenizer.vocabSize;
    this.vocabSize = V;
    const bytes: Uint8Array[] = new Array(V);
    const order: number[] = [];
    let total = 1;
    for (let id = 0; id < V; id++) {
      const b = tokenizer.tokenBytes(id);
      bytes[id] = b;
      if (b.length === 0 || exclude.has(id)) continue;
      order.push(id);
      total += b.length;
    }
    // Sort by the bytes as Latin-1 strings: UTF-16 order on code units < 256 is byte order, and the
    // engine's string comparison is much faster than a comparator over Uint8Arrays.
    const keys: string[] = new Array(V);
    for (const id of order) keys[id] = latin1(bytes[id]!);
    order.sort((x, y) => (keys[x]! < keys[y]! ? -1 : keys[x]! > keys[y]! ? 1 : x - y));
    const edgeByte = new Uint8Array(total);
    const depth = new Uint16Array(total);
    const end = new Int32Array(total);
    const firstToken = new Int32Array(total).fill(-1);
    const nextToken = new Int32Array(V).fill(-1);
    const lastToken = new Int32Array(total).fill(-1);
    // path[d] = node at depth d on the current branch (path[0] = root).
    const path: number[] = [0];
    let n = 1;
    let prev: Uint8Array = new Uint8Array(0);
    let maxDepth = 0;
    for (const id of order) {
      const b = bytes[id]!;
      let l = 0;
      while (l < b.length && l < prev.length && b[l] === prev[l]) l++;
      // Close the nodes of the previous branch deeper than the shared prefix.
      for (let d = path.length - 1; d > l; d--) end[path[d]!] = n;
      path.length = l + 1;
      for (let d = l; d < b.length; d++) {
        edgeByte[n] = b[d]!;
        depth[n] = d + 1;
        path.push(n);
        n++;
      }
      const leaf = path[b.length]!;
      if (firstToken[leaf] === -1) firstToken[leaf] = id;
      else nextToken[lastToken[leaf]!] = id;
      lastToken[leaf] = id;
      if (b.length > maxDepth) maxDepth = b.length;
      prev = b;
    }
    for (let d = path.length - 1; d >= 0; d--) end[path[d]!] = n;
    this.size = n;
    this.edgeByte = edgeByte.slice(0, n);
    this.depth = depth.slice(0, n);
    this.end = end.slice(0, n);
    this.firstToken = firstToken.slice(0, n);
    this.nextToken = nextToken;
    this.maxDepth = maxDepth;
    [this.nodeInfo, this.nodeToken] = packNodes(this, V);
    [this.tokenStart, this.tokenData] = flatBytes(bytes, order, V);
  }
}

/** The walk's per-node arrays: `nodeInfo` (depth, edge byte, MORE_TOKENS) and `nodeToken`. */
function packNodes(
  trie: Pick<TokenTrie, "size" | "depth" | "edgeByte" | "firstToken" | "nextToken">,
  V: number,
): [Int32Array, Int32Array] {
  const n = trie.size;
  const info = new Int32Array(n);
  const nodeToken = new Int32Array(n);
  const spare = ((V + 31) >>> 5) * 32;
  for (let k = 0; k < n; k++) {
    const f = trie.firstToken[k]!;
    const more = f >= 0 && trie.nextToken[f]! >= 0 ? MORE_TOKENS : 0;
    info[k] = (trie.depth[k]! << 8) | trie.edgeByte[k]! | more;
    nodeToken[k] = f >= 0 ? f : spare;
  }
  return [info, nodeToken];
}

/** `tokenStart` and `tokenData`: the bytes of the included ids (`order`), flat by id. */
function flatBytes(bytes: Uint8Array[], order: readonly number[], V: number): [Int32Array, Uint8Array] {
  const tokenStart = new Int32Array(V + 1);
  const included = new Uint8Array(V);
  for (const id of order) included[id] = 1;
  for (let id = 0; id < V; id++)
    tokenStart[id + 1] = tokenStart[id]! + (included[id] ? bytes[id]!.length : 0);
  const tokenData = new Uint8Array(tokenStart[V]!);
  for (const id of order) tokenData.set(bytes[id]!, tokenStart[id]!);
  return [tokenStart, tokenData];
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}
