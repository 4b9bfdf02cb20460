import type { PreviewImage } from '@shardgrad/protocol';

const SCALE = 4;

/** Draws a preview picture scaled up with hard pixel edges, then its captions in screen pixels. */
export function drawPreview(canvas: HTMLCanvasElement, title: HTMLElement, empty: HTMLElement, p: PreviewImage | undefined): void {
  empty.hidden = Boolean(p);
  canvas.hidden = !p;
  if (!p) return;
  title.textContent = `${p.title} · step ${p.step}`;
  const src = document.createElement('canvas');
  src.width = p.width;
  src.height = p.height;
  src.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(p.rgba), p.width, p.height), 0, 0);
  canvas.width = p.width * SCALE;
  canvas.height = p.height * SCALE;
  const g = canvas.getContext('2d')!;
  g.imageSmoothingEnabled = false;
  g.drawImage(src, 0, 0, canvas.width, canvas.height);
  g.font = `${7 * SCALE}px system-ui, sans-serif`;
  g.textBaseline = 'bottom';
  for (const c of p.captions ?? []) {
    g.fillStyle = c.ok === undefined ? '#eee' : c.ok ? '#7be495' : '#ff8a80';
    g.fillText(c.text, c.x * SCALE, c.y * SCALE);
  }
  canvas.dataset.step = String(p.step);
}
