import QRCode from 'qrcode';
import type { JoinInfo } from '@shardgrad/protocol';

/** The join URL as a QR code and as text, in the panel and full-screen for the projector. */
export async function showJoin(join: JoinInfo, els: { qr: HTMLCanvasElement; url: HTMLAnchorElement; code: HTMLElement; qrBig: HTMLCanvasElement; urlBig: HTMLElement; codeBig: HTMLElement }): Promise<void> {
  els.url.href = join.url;
  els.url.textContent = join.url;
  els.urlBig.textContent = join.url;
  els.code.textContent = join.code ?? '';
  els.codeBig.textContent = join.code ? `code ${join.code}` : '';
  // A quiet zone of 2 modules and error correction M: readable from the back of a room.
  await QRCode.toCanvas(els.qr, join.url, { width: 240, margin: 2, errorCorrectionLevel: 'M' });
  // Whole on a phone held upright too (a 390 px wide screen clipped a code sized by the height alone).
  await QRCode.toCanvas(els.qrBig, join.url, { width: Math.min(innerHeight * 0.6, innerWidth * 0.9, 720), margin: 2, errorCorrectionLevel: 'M' });
}
