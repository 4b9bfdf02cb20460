import type { SpatialPads } from './wasm-kernel-utils.ts';

/** The part of tfjs's Conv2DInfo that the gradient formulations need; pure numbers, no tensors. */
export interface ConvGeometry {
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padInfo: { top: number; left: number };
}

/**
 * Pads (negative = crop) that make a 'valid' conv of the input with the OH×OW gradient, dilated by
 * the stride and strided by the dilation, produce exactly FH×FW outputs. The bottom/right side is
 * negative when the forward conv never reached the last rows (stride did not divide evenly).
 */
export function filterGradPads(g: ConvGeometry): SpatialPads {
  const needH = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1;
  const needW = (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1;
  return {
    top: g.padInfo.top,
    bottom: needH - g.inHeight - g.padInfo.top,
    left: g.padInfo.left,
    right: needW - g.inWidth - g.padInfo.left,
  };
}

/**
 * Pads for the input gradient as a stride-1 conv of the zero-stuffed dy (length `stuffedH`, i.e.
 * OH·stride) with the flipped filter: top = effective filter − 1 − forward top pad, and bottom
 * chosen so exactly H rows come out.
 */
export function inputGradPads(g: ConvGeometry, stuffedH: number, stuffedW: number): SpatialPads {
  const effH = (g.filterHeight - 1) * g.dilationHeight + 1;
  const effW = (g.filterWidth - 1) * g.dilationWidth + 1;
  const top = effH - 1 - g.padInfo.top;
  const left = effW - 1 - g.padInfo.left;
  return {
    top,
    bottom: g.inHeight + effH - 1 - top - stuffedH,
    left,
    right: g.inWidth + effW - 1 - left - stuffedW,
  };
}

/**
 * Whether every window of a pool lies inside its input (no padding, and the last window ends
 * within it): what the SIMD pooling kernels need, which skip bounds checks.
 */
export function poolWindowsInside(g: ConvGeometry): boolean {
  return g.padInfo.top === 0 && g.padInfo.left === 0 &&
    (g.outHeight - 1) * g.strideHeight + g.filterHeight <= g.inHeight &&
    (g.outWidth - 1) * g.strideWidth + g.filterWidth <= g.inWidth;
}
