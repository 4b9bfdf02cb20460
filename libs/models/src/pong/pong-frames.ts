import { AGENT_X, BALL, COURT, OPPONENT_X, PADDLE_H, PADDLE_W, type PongState } from './pong-env.ts';

export const FRAME = COURT / 2;
export const FRAME_PIXELS = FRAME * FRAME;

/** The court as a 160×160 grey image (1 = paddle or ball, 0 = background). */
export function renderCourt(s: PongState): Uint8Array {
  const img = new Uint8Array(COURT * COURT);
  const rect = (x: number, y: number, w: number, h: number) => {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(COURT, Math.round(x + w));
    const y1 = Math.min(COURT, Math.round(y + h));
    for (let r = y0; r < y1; r++) img.fill(1, r * COURT + x0, r * COURT + x1);
  };
  rect(OPPONENT_X, s.opponentY, PADDLE_W, PADDLE_H);
  rect(AGENT_X, s.agentY, PADDLE_W, PADDLE_H);
  rect(s.ballX, s.ballY, BALL, BALL);
  return img;
}

/** Karpathy's preprocessing: downsample by 2 to 80×80 and binarise. */
export function preprocess(court: Uint8Array): Float32Array {
  const out = new Float32Array(FRAME_PIXELS);
  for (let r = 0; r < FRAME; r++) for (let c = 0; c < FRAME; c++) out[r * FRAME + c] = court[2 * r * COURT + 2 * c]! > 0 ? 1 : 0;
  return out;
}

/** The policy sees motion: the current frame minus the previous one (zeros on the first frame). */
export function differenceFrame(current: Float32Array, previous: Float32Array | undefined): Float32Array {
  const out = new Float32Array(FRAME_PIXELS);
  if (previous) for (let i = 0; i < FRAME_PIXELS; i++) out[i] = current[i]! - previous[i]!;
  return out;
}
