import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AuthSettingsError, ClassroomAuth } from './auth.ts';

/** The tokens as shipped in the base Secret, read from the file so the test follows any edit to it. */
function shippedPlaceholders(): { worker: string; teacher: string } {
  const yaml = readFileSync(fileURLToPath(new URL('../../../deploy/k8s/base/secret.yaml', import.meta.url)), 'utf8');
  const value = (key: string) => new RegExp(`^\\s*${key}:\\s*"?([^"\\n]+)"?\\s*$`, 'm').exec(yaml)?.[1]?.trim();
  return { worker: value('worker-token')!, teacher: value('teacher-token')! };
}

const STRONG_WORKER = '3f9c2a7d41e8b6059ad1c4e7f20b83a6c5d9e1f7a2b40c68';
const STRONG_TEACHER = 'b71e04d9c3a8f2650e1d7c9b4a36f8e2d05c1b9a7e43f6d2';

function refusal(opts: ConstructorParameters<typeof ClassroomAuth>[0]): AuthSettingsError {
  try {
    new ClassroomAuth(opts);
  } catch (e) {
    expect(e).toBeInstanceOf(AuthSettingsError);
    return e as AuthSettingsError;
  }
  throw new Error('ClassroomAuth accepted the settings');
}

describe('ClassroomAuth token settings', () => {
  it('refuses the placeholders shipped in deploy/k8s/base/secret.yaml, saying how to make a token', () => {
    const { worker, teacher } = shippedPlaceholders();
    expect(worker).toContain('replace-me');
    expect(refusal({ workerToken: worker, teacherToken: STRONG_TEACHER }).message).toMatch(/worker token is still the shipped placeholder.*openssl rand -hex 24/);
    expect(refusal({ workerToken: STRONG_WORKER, teacherToken: teacher }).message).toMatch(/teacher token is still the shipped placeholder.*openssl rand -hex 24/);
  });

  it('refuses the placeholder text in any case and position', () => {
    expect(refusal({ workerToken: 'my-REPLACE-ME-token-0123456789' }).message).toMatch(/placeholder/);
  });

  it('refuses a token that is one character repeated', () => {
    expect(refusal({ workerToken: 'a'.repeat(24) }).message).toMatch(/worker token is one character repeated.*openssl rand -hex 24/);
    expect(refusal({ teacherToken: '0'.repeat(48) }).message).toMatch(/teacher token is one character repeated/);
  });

  it('refuses short tokens as before', () => {
    expect(refusal({ teacherToken: 'short' }).message).toMatch(/teacher token must be at least 16 characters/);
  });

  it('refuses equal worker and teacher tokens as a settings error', () => {
    expect(refusal({ workerToken: STRONG_WORKER, teacherToken: STRONG_WORKER }).message).toMatch(/worker token must differ from the teacher token/);
  });

  it('accepts random-looking tokens and keeps them', () => {
    const auth = new ClassroomAuth({ workerToken: STRONG_WORKER, teacherToken: STRONG_TEACHER });
    expect(auth.workerToken).toBe(STRONG_WORKER);
    expect(auth.teacherToken).toBe(STRONG_TEACHER);
    expect(auth.roleOf(STRONG_WORKER)).toBe('worker');
  });

  it('generates tokens that pass its own checks when none are given', () => {
    const auth = new ClassroomAuth();
    expect(() => new ClassroomAuth({ workerToken: auth.workerToken, teacherToken: auth.teacherToken })).not.toThrow();
  });
});
