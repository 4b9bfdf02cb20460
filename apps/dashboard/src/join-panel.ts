import QRCode from 'qrcode';
import type { JoinInfo } from '@shardgrad/protocol';

/** A quiet zone of 2 modules and error correction M: readable from the back of a room. */
const QR_OPTIONS = { margin: 2, errorCorrectionLevel: 'M' } as const;
/** The dialog's padding and margins, both sides (styles.css, dialog): the code must fit inside them. */
const DIALOG_CHROME_PX = 64;

export interface JoinElements {
  qr: HTMLCanvasElement;
  url: HTMLAnchorElement;
  code: HTMLElement;
  qrBig: HTMLCanvasElement;
  urlBig: HTMLElement;
  codeBig: HTMLElement;
}

/** The join URL as a QR code and as text, in the panel and full-screen for the projector. */
export async function showJoin(join: JoinInfo, els: JoinElements): Promise<void> {
  els.url.href = join.url;
  els.url.textContent = join.url;
  els.urlBig.textContent = join.url;
  els.code.textContent = join.code ?? '';
  els.codeBig.textContent = join.code ?? '';
  els.codeBig.hidden = !join.code;
  await QRCode.toCanvas(els.qr, join.url, { ...QR_OPTIONS, width: 240 });
  await drawBigQr(join, els.qrBig);
}

/**
 * The projector's code, sized to the window when the dialog opens: whole on a phone held upright
 * (390 px wide) as on a projector, and leaving room for the URL and code under it.
 */
export async function drawBigQr(join: JoinInfo, canvas: HTMLCanvasElement): Promise<void> {
  const width = Math.max(160, Math.floor(Math.min(innerHeight * 0.55, innerWidth - DIALOG_CHROME_PX, 720)));
  await QRCode.toCanvas(canvas, join.url, { ...QR_OPTIONS, width });
}
