import type { RgbaImage } from '../types.ts';

/**
 * A 5 × 8 pixel font for labels drawn into model images (the seq2seq heat map's axes): the
 * characters of the date inputs and ISO outputs, i.e. letters, digits, space and `,./-`. Rows top to
 * bottom, `#` is ink; capitals and digits stand on row 6, row 7 holds descenders. Drawn for this
 * project; a character it lacks is drawn as a hollow box.
 */
const GLYPHS: Record<string, string> = {
  ' ': '',
  ',': '|||||  ## |   # |  #  ',
  '.': '|||||  ## |  ## ',
  '/': '    #|    #|   # |  #  | #   |#    |#    ',
  '-': '|||#####',
  '0': ' ### |#   #|#  ##|# # #|##  #|#   #| ### ',
  '1': '  #  | ##  |  #  |  #  |  #  |  #  | ### ',
  '2': ' ### |#   #|    #|   # |  #  | #   |#####',
  '3': '#####|   # |  #  |   # |    #|#   #| ### ',
  '4': '   # |  ## | # # |#  # |#####|   # |   # ',
  '5': '#####|#    |#### |    #|    #|#   #| ### ',
  '6': '  ## | #   |#    |#### |#   #|#   #| ### ',
  '7': '#####|    #|   # |  #  | #   | #   | #   ',
  '8': ' ### |#   #|#   #| ### |#   #|#   #| ### ',
  '9': ' ### |#   #|#   #| ####|    #|   # | ##  ',
  A: ' ### |#   #|#   #|#####|#   #|#   #|#   #',
  B: '#### |#   #|#   #|#### |#   #|#   #|#### ',
  C: ' ### |#   #|#    |#    |#    |#   #| ### ',
  D: '#### |#   #|#   #|#   #|#   #|#   #|#### ',
  E: '#####|#    |#    |#### |#    |#    |#####',
  F: '#####|#    |#    |#### |#    |#    |#    ',
  G: ' ### |#   #|#    |# ###|#   #|#   #| ####',
  H: '#   #|#   #|#   #|#####|#   #|#   #|#   #',
  I: ' ### |  #  |  #  |  #  |  #  |  #  | ### ',
  J: '  ###|   # |   # |   # |   # |#  # | ##  ',
  K: '#   #|#  # |# #  |##   |# #  |#  # |#   #',
  L: '#    |#    |#    |#    |#    |#    |#####',
  M: '#   #|## ##|# # #|# # #|#   #|#   #|#   #',
  N: '#   #|#   #|##  #|# # #|#  ##|#   #|#   #',
  O: ' ### |#   #|#   #|#   #|#   #|#   #| ### ',
  P: '#### |#   #|#   #|#### |#    |#    |#    ',
  Q: ' ### |#   #|#   #|#   #|# # #|#  # | ## #',
  R: '#### |#   #|#   #|#### |# #  |#  # |#   #',
  S: ' ####|#    |#    | ### |    #|    #|#### ',
  T: '#####|  #  |  #  |  #  |  #  |  #  |  #  ',
  U: '#   #|#   #|#   #|#   #|#   #|#   #| ### ',
  V: '#   #|#   #|#   #|#   #|#   #| # # |  #  ',
  W: '#   #|#   #|#   #|# # #|# # #|# # #| # # ',
  X: '#   #|#   #| # # |  #  | # # |#   #|#   #',
  Y: '#   #|#   #| # # |  #  |  #  |  #  |  #  ',
  Z: '#####|    #|   # |  #  | #   |#    |#####',
  a: '|| ### |    #| ####|#   #| ####',
  b: '#    |#    |# ## |##  #|#   #|#   #|#### ',
  c: '|| ### |#    |#    |#   #| ### ',
  d: '    #|    #| ## #|#  ##|#   #|#   #| ####',
  e: '|| ### |#   #|#####|#    | ### ',
  f: '  ## | #  #| #   |###  | #   | #   | #   ',
  g: '|| ####|#   #|#   #| ####|    #| ### ',
  h: '#    |#    |# ## |##  #|#   #|#   #|#   #',
  i: '  #  || ##  |  #  |  #  |  #  | ### ',
  j: '   # ||  ## |   # |   # |   # |#  # | ##  ',
  k: '#    |#    |#  # |# #  |##   |# #  |#  # ',
  l: ' ##  |  #  |  #  |  #  |  #  |  #  | ### ',
  m: '||## # |# # #|# # #|#   #|#   #',
  n: '||# ## |##  #|#   #|#   #|#   #',
  o: '|| ### |#   #|#   #|#   #| ### ',
  p: '||#### |#   #|#   #|#### |#    |#    ',
  q: '|| ####|#   #|#   #| ####|    #|    #',
  r: '||# ## |##  #|#    |#    |#    ',
  s: '|| ####|#    | ### |    #|#### ',
  t: ' #   | #   |###  | #   | #   | #  #|  ## ',
  u: '||#   #|#   #|#   #|#  ##| ## #',
  v: '||#   #|#   #|#   #| # # |  #  ',
  w: '||#   #|#   #|# # #|# # #| # # ',
  x: '||#   #| # # |  #  | # # |#   #',
  y: '||#   #|#   #|#   #| ####|    #| ### ',
  z: '||#####|   # |  #  | #   |#####',
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 8;
const UNKNOWN = '#####|#   #|#   #|#   #|#   #|#   #|#####';

/** Whether the font has a glyph for `ch` (others are drawn as a box). */
export function hasGlyph(ch: string): boolean {
  return ch in GLYPHS;
}

/** Draws `ch` with its top-left corner at (x, y), each font pixel a `scale` × `scale` square of `rgb`. */
export function drawGlyph(image: RgbaImage, ch: string, x: number, y: number, scale: number, rgb: readonly [number, number, number]): void {
  const rows = (GLYPHS[ch] ?? UNKNOWN).split('|');
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < GLYPH_WIDTH; c++) {
      if (rows[r]![c] !== '#') continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const px = x + c * scale + dx;
          const py = y + r * scale + dy;
          if (px < 0 || py < 0 || px >= image.width || py >= image.height) continue;
          const p = (py * image.width + px) * 4;
          image.data[p] = rgb[0];
          image.data[p + 1] = rgb[1];
          image.data[p + 2] = rgb[2];
          image.data[p + 3] = 255;
        }
      }
    }
  }
}
