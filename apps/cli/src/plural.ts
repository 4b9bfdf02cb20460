/** "1 point", "2 points": a count with its noun, for messages people read. */
export const counted = (n: number, noun: string, nouns = `${noun}s`): string => `${n} ${n === 1 ? noun : nouns}`;
