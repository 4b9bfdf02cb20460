/**
 * Rewrites every `(f32x4.relaxed_madd a b c)` of a WebAssembly text as `(f32x4.add (f32x4.mul a b) c)`,
 * for engines without relaxed SIMD. The relaxed instruction may round once (fused) or twice, so both
 * forms are what it means; only the speed differs. Operands are the folded S-expressions wabt reads.
 */
export function withoutRelaxedMadd(text: string): string {
  const head = '(f32x4.relaxed_madd';
  let out = '';
  let from = 0;
  for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, from)) {
    out += text.slice(from, at);
    const [operands, end] = operandsOf(text, at + head.length);
    if (operands.length !== 3) throw new Error(`f32x4.relaxed_madd at offset ${at} has ${operands.length} operands, expected 3 folded ones`);
    const [a, b, c] = operands.map(withoutRelaxedMadd);
    out += `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
    from = end;
  }
  return out + text.slice(from);
}

/** The parenthesised operands from `start` up to the `)` closing their instruction, and the offset after it. */
function operandsOf(text: string, start: number): [string[], number] {
  const operands: string[] = [];
  let i = start;
  for (;;) {
    while (/\s/.test(text[i] ?? '')) i++;
    if (text[i] === ')') return [operands, i + 1];
    if (text[i] !== '(') throw new Error(`f32x4.relaxed_madd at offset ${start}: expected folded operands, found ${JSON.stringify(text.slice(i, i + 20))}`);
    let depth = 0;
    const begin = i;
    do {
      if (text[i] === '(') depth++;
      else if (text[i] === ')') depth--;
      else if (i >= text.length) throw new Error(`f32x4.relaxed_madd at offset ${start}: unbalanced parentheses`);
      i++;
    } while (depth > 0);
    operands.push(text.slice(begin, i));
  }
}
