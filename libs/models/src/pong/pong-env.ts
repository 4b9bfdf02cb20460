/**
 * Pong, written for training from pixels: a 160×160 court (so the 80×80 preprocessing of
 * "Pong from Pixels" has something to downsample), the agent's paddle on the right, a scripted
 * opponent on the left whose top speed is below the ball's, so the game is winnable.
 * Deterministic given its seed: an episode replays exactly on any worker.
 */
export const COURT = 160;
export const PADDLE_W = 4;
export const PADDLE_H = 28;
export const BALL = 4;
/** Agent's paddle x (left edge) and the opponent's. */
export const AGENT_X = COURT - 8 - PADDLE_W;
export const OPPONENT_X = 8;
export const PADDLE_SPEED = 6;
/** Slower than the ball's vertical speed at steep angles, so the opponent can be beaten. */
export const OPPONENT_SPEED = 3;
export const BALL_SPEED = 4;

export type Action = 0 | 1; // 0 = up, 1 = down

/**
 * `random`: from the centre at a random height and angle (the game). `top`: level, at the top of the
 * court, where "up" is right on every frame: a check that a policy gradient learns at all, in a few
 * rounds (test/models), which the full game cannot show at a test's budget.
 */
export type Serve = 'random' | 'top';
export const SERVES: readonly Serve[] = ['random', 'top'];
/** Height of the `top` serve: a paddle pushed against the top wall covers it. */
export const TOP_SERVE_Y = 4;

export interface PongState {
  ballX: number;
  ballY: number;
  vx: number;
  vy: number;
  agentY: number;
  opponentY: number;
  agentScore: number;
  opponentScore: number;
}

export interface StepResult {
  /** +1 when the agent scores, −1 when the opponent does, else 0. */
  reward: number;
  /** The point just ended (the ball was served again). */
  pointOver: boolean;
}

export class PongEnv {
  state: PongState;
  private rnd: () => number;

  constructor(
    rnd: () => number,
    private readonly serveRule: Serve = 'random',
  ) {
    this.rnd = rnd;
    this.state = { ballX: 0, ballY: 0, vx: 0, vy: 0, agentY: (COURT - PADDLE_H) / 2, opponentY: (COURT - PADDLE_H) / 2, agentScore: 0, opponentScore: 0 };
    this.serve(1);
  }

  /** Ball from the centre towards `dir` (+1 = towards the agent), at a random angle. */
  serve(dir: number): void {
    const s = this.state;
    s.ballX = COURT / 2;
    if (this.serveRule === 'top') {
      s.ballY = TOP_SERVE_Y;
      s.vx = dir * BALL_SPEED;
      s.vy = 0;
      return;
    }
    s.ballY = COURT / 4 + this.rnd() * (COURT / 2);
    const angle = (this.rnd() - 0.5) * (Math.PI / 2);
    s.vx = dir * BALL_SPEED * Math.cos(angle);
    s.vy = BALL_SPEED * Math.sin(angle) * 1.5;
  }

  step(action: Action): StepResult {
    const s = this.state;
    s.agentY = clamp(s.agentY + (action === 0 ? -PADDLE_SPEED : PADDLE_SPEED), 0, COURT - PADDLE_H);
    const target = s.ballY - PADDLE_H / 2;
    s.opponentY = clamp(s.opponentY + clamp(target - s.opponentY, -OPPONENT_SPEED, OPPONENT_SPEED), 0, COURT - PADDLE_H);
    s.ballX += s.vx;
    s.ballY += s.vy;
    if (s.ballY < 0) {
      s.ballY = -s.ballY;
      s.vy = -s.vy;
    } else if (s.ballY > COURT - BALL) {
      s.ballY = 2 * (COURT - BALL) - s.ballY;
      s.vy = -s.vy;
    }
    if (s.vx > 0 && s.ballX + BALL >= AGENT_X && s.ballX + BALL <= AGENT_X + PADDLE_W + Math.abs(s.vx)) {
      if (hits(s.ballY, s.agentY)) this.bounce(s.agentY, -1, AGENT_X - BALL);
    } else if (s.vx < 0 && s.ballX <= OPPONENT_X + PADDLE_W && s.ballX >= OPPONENT_X - Math.abs(s.vx)) {
      if (hits(s.ballY, s.opponentY)) this.bounce(s.opponentY, 1, OPPONENT_X + PADDLE_W);
    }
    if (s.ballX > COURT) {
      s.opponentScore++;
      this.serve(-1);
      return { reward: -1, pointOver: true };
    }
    if (s.ballX + BALL < 0) {
      s.agentScore++;
      this.serve(1);
      return { reward: 1, pointOver: true };
    }
    return { reward: 0, pointOver: false };
  }

  /** Reflects the ball; where it meets the paddle sets the new angle, as in the arcade game. */
  private bounce(paddleY: number, dir: number, x: number): void {
    const s = this.state;
    const offset = (s.ballY + BALL / 2 - (paddleY + PADDLE_H / 2)) / (PADDLE_H / 2);
    const angle = offset * (Math.PI / 3);
    s.vx = dir * BALL_SPEED * Math.cos(angle);
    s.vy = BALL_SPEED * Math.sin(angle) * 1.5;
    s.ballX = x;
  }
}

const hits = (ballY: number, paddleY: number) => ballY + BALL >= paddleY && ballY <= paddleY + PADDLE_H;
const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
