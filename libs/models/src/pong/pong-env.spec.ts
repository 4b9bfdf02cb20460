import { describe, expect, it } from 'vitest';
import { seededRandom } from '@shardgrad/data';
import { AGENT_X, BALL, COURT, PADDLE_H, PongEnv, TOP_SERVE_Y } from './pong-env.ts';
import { FRAME, differenceFrame, preprocess, renderCourt } from './pong-frames.ts';
import { discountedReturns } from './discounted-returns.ts';

describe('Pong physics', () => {
  it('bounces the ball off the top wall with its vertical speed mirrored', () => {
    const env = new PongEnv(seededRandom(1));
    Object.assign(env.state, { ballX: 80, ballY: 2, vx: 2, vy: -4 });
    env.step(0);
    expect(env.state.vy).toBe(4);
    expect(env.state.ballY).toBe(2);
  });

  it('returns a ball that meets the agent paddle, and the hit position sets the angle', () => {
    const env = new PongEnv(seededRandom(2));
    Object.assign(env.state, { ballX: AGENT_X - BALL - 2, ballY: 80, vx: 4, vy: 0, agentY: 80 - PADDLE_H / 2 + BALL / 2 });
    const r = env.step(1);
    expect(r.reward).toBe(0);
    expect(env.state.vx).toBeLessThan(0);
    const centreHit = Math.abs(env.state.vy);
    Object.assign(env.state, { ballX: AGENT_X - BALL - 2, ballY: 80, vx: 4, vy: 0, agentY: 80 - 4 });
    env.step(1);
    expect(Math.abs(env.state.vy)).toBeGreaterThan(centreHit);
  });

  it('gives −1 when the ball passes the agent, +1 when it passes the opponent, and serves again', () => {
    const env = new PongEnv(seededRandom(3));
    Object.assign(env.state, { ballX: COURT - 1, ballY: 5, vx: 4, vy: 0, agentY: COURT - PADDLE_H });
    expect(env.step(1)).toEqual({ reward: -1, pointOver: true });
    expect(env.state.opponentScore).toBe(1);
    expect(env.state.ballX).toBe(COURT / 2);
    Object.assign(env.state, { ballX: -BALL + 1, ballY: COURT - 10, vx: -4, vy: 0, opponentY: 0 });
    expect(env.step(0)).toEqual({ reward: 1, pointOver: true });
    expect(env.state.agentScore).toBe(1);
  });

  it('keeps paddles inside the court', () => {
    const env = new PongEnv(seededRandom(4));
    for (let i = 0; i < 100; i++) env.step(0);
    expect(env.state.agentY).toBe(0);
    for (let i = 0; i < 100; i++) env.step(1);
    expect(env.state.agentY).toBe(COURT - PADDLE_H);
  });

  it('serves level at the top of the court with the `top` serve, where a paddle against the top wall returns it', () => {
    const env = new PongEnv(seededRandom(7), 'top');
    expect(env.state).toMatchObject({ ballX: COURT / 2, ballY: TOP_SERVE_Y, vx: 4, vy: 0 });
    let reward = 0;
    for (let i = 0; i < 30 && env.state.vx > 0; i++) reward = env.step(0).reward;
    expect(reward).toBe(0);
    expect(env.state.vx).toBeLessThan(0); // returned
    const idle = new PongEnv(seededRandom(7), 'top');
    let r = { reward: 0, pointOver: false };
    for (let i = 0; i < 30 && !r.pointOver; i++) r = idle.step(1); // the paddle runs away: lost
    expect(r).toEqual({ reward: -1, pointOver: true });
  });

  it('replays exactly from the same seed', () => {
    const play = (seed: number) => {
      const env = new PongEnv(seededRandom(seed));
      const trace: number[] = [];
      for (let i = 0; i < 300; i++) trace.push(env.step((i % 3 === 0 ? 1 : 0) as 0 | 1).reward, env.state.ballX);
      return trace;
    };
    expect(play(9)).toEqual(play(9));
    expect(play(9)).not.toEqual(play(10));
  });
});

describe('frame preprocessing', () => {
  it('downsamples the 160×160 court to a binary 80×80 frame with the ball where it is', () => {
    const env = new PongEnv(seededRandom(5));
    Object.assign(env.state, { ballX: 100, ballY: 40 });
    const f = preprocess(renderCourt(env.state));
    expect(f.length).toBe(FRAME * FRAME);
    expect(new Set(f)).toEqual(new Set([0, 1]));
    expect(f[20 * FRAME + 50]).toBe(1); // ball at (100, 40) → (50, 20)
    expect(f[20 * FRAME + 40]).toBe(0);
  });

  it('differences consecutive frames so only motion remains', () => {
    const env = new PongEnv(seededRandom(6));
    const a = preprocess(renderCourt(env.state));
    expect(differenceFrame(a, undefined).every((v) => v === 0)).toBe(true);
    expect(differenceFrame(a, a).every((v) => v === 0)).toBe(true);
    Object.assign(env.state, { vx: 4, vy: 0 });
    env.state.agentY = env.state.agentY; // paddles still
    const before = a;
    env.step(0);
    const d = differenceFrame(preprocess(renderCourt(env.state)), before);
    expect(d.some((v) => v === 1)).toBe(true);
    expect(d.some((v) => v === -1)).toBe(true);
  });
});

describe('discounted returns', () => {
  it('discount backwards and restart at each point', () => {
    const r = discountedReturns([0, 0, 1, 0, -1], 0.5);
    expect(Array.from(r)).toEqual([0.25, 0.5, 1, -0.5, -1]);
  });
});
