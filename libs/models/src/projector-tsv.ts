/**
 * The two files projector.tensorflow.org loads ("Load" → vectors, then metadata): one vector per
 * line, values separated by tabs, no header; and one label per line in the same order. With a
 * single metadata column the projector expects no header row.
 */
export function projectorVectorsTsv(codes: ArrayLike<number>, dims: number): string {
  if (dims < 1 || codes.length % dims !== 0) throw new Error(`projector: ${codes.length} values do not split into rows of ${dims}`);
  const lines: string[] = [];
  for (let i = 0; i < codes.length / dims; i++) {
    const row: string[] = [];
    for (let j = 0; j < dims; j++) {
      const v = codes[i * dims + j]!;
      if (!Number.isFinite(v)) throw new Error(`projector: row ${i} has a non-finite value`);
      row.push(String(Math.fround(v)));
    }
    lines.push(row.join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

export function projectorMetadataTsv(labels: readonly string[]): string {
  for (const l of labels) if (/[\t\n\r]/.test(l)) throw new Error(`projector: label ${JSON.stringify(l)} contains a tab or newline`);
  return `${labels.join('\n')}\n`;
}
