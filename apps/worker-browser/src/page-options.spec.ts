import { describe, expect, it } from 'vitest';
import { parsePageOptions } from './page-options.ts';

describe('join page options', () => {
  it('tries every backend in preference order by default', () => {
    expect(parsePageOptions('')).toEqual({ candidates: ['webgpu', 'webgl', 'wasm', 'cpu'], slowdown: 1, compress: 'none' });
  });

  it('pins a backend, restricts candidates, and reads name, code and slowdown', () => {
    expect(parsePageOptions('?backend=webgl&name=%20Ada%20&code=abc123&slowdown=4')).toEqual({
      candidates: ['webgl'],
      pinned: 'webgl',
      nickname: 'Ada',
      code: 'ABC123',
      slowdown: 4,
      compress: 'none',
    });
    expect(parsePageOptions('?compress=fp16').compress).toBe('fp16');
    expect(parsePageOptions('?backends=wasm,%20cpu').candidates).toEqual(['wasm', 'cpu']);
    expect(parsePageOptions(`?name=${'x'.repeat(100)}`).nickname).toHaveLength(40);
  });

  it('refuses unknown backends and bad slowdowns with the choices', () => {
    expect(() => parsePageOptions('?backend=cuda')).toThrow(/unknown backend "cuda".*webgpu, webgl, wasm, cpu/);
    expect(() => parsePageOptions('?backends=wasm,metal')).toThrow(/"metal"/);
    expect(() => parsePageOptions('?backends=')).toThrow(/unknown backend/);
    expect(() => parsePageOptions('?slowdown=0.5')).toThrow(/slowdown/);
    expect(() => parsePageOptions('?slowdown=NaN')).toThrow(/slowdown/);
    expect(() => parsePageOptions('?compress=int8')).toThrow(/\?compress= must be none or fp16, got "int8"/);
  });
});
