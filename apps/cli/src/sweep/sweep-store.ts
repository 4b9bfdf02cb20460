import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync } from '@shardgrad/runlog';
import { settingsDiff, SweepConfigError, type SweepGrid, type SweepSettings } from './sweep-config.ts';
import type { PointResult } from './point-result.ts';
import { pointRecord } from './point-record.ts';

export const SWEEP_JSON = 'sweep.json';
export const SWEEP_JSONL = 'sweep.jsonl';
export const POINT_RUNS_DIR = 'runs';

interface SweepFile {
  settings: SweepSettings;
  grid: SweepGrid;
  /** The command lines that ran this sweep, in order (a resumed sweep adds one). */
  commands: string[];
  createdAt: string;
  updatedAt: string;
}

/** The sweep.json at `at`, if there is one; a file that is not one is refused in plain words. */
function readSweepFile(at: string): SweepFile | undefined {
  if (!existsSync(at)) return undefined;
  const refuse = (why: string) =>
    new SweepConfigError(`${at} is not a sweep's ${SWEEP_JSON} (${why}); repair or remove it, or give another --sweep-dir`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(at, 'utf8'));
  } catch (e) {
    throw refuse(e instanceof SyntaxError ? 'not valid JSON' : (e as Error).message);
  }
  const f = parsed as Partial<SweepFile> | null;
  if (!f || typeof f !== 'object' || !f.settings || typeof f.settings !== 'object') throw refuse('no settings');
  if (!Array.isArray(f.commands) || f.commands.some((c) => typeof c !== 'string')) throw refuse('no list of commands');
  return f as SweepFile;
}

/**
 * Refuses a directory that holds no sweep.json but something else: the outputs (sweep.csv,
 * report.md, the charts) would be written over whatever it holds.
 */
function refuseOtherDirectory(path: string): void {
  if (!existsSync(path)) return;
  if (!statSync(path).isDirectory()) throw new SweepConfigError(`${path} is a file, not a directory; give another --sweep-dir`);
  const entries = readdirSync(path);
  if (entries.length === 0) return;
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, … (${entries.length} in all)` : '');
  throw new SweepConfigError(`${path} is not a sweep directory (no ${SWEEP_JSON}) and is not empty (${shown}); a sweep writes its report there, so give a new or empty --sweep-dir`);
}

/**
 * A sweep directory: sweep.json (the settings, which never change, and the latest grid),
 * sweep.jsonl (one line per finished point: what makes a sweep resumable), runs/ (one run
 * directory per point) and the outputs the report writer adds.
 */
export class SweepStore {
  readonly path: string;
  private file: SweepFile;

  constructor(dir: string, settings: SweepSettings, grid: SweepGrid, command: string) {
    this.path = resolve(dir);
    const now = new Date().toISOString();
    const at = join(this.path, SWEEP_JSON);
    // Read and checked before anything is written: a directory that is refused is left as it was.
    const old = readSweepFile(at);
    if (old) {
      const diff = settingsDiff(old.settings, settings);
      if (diff.length) {
        throw new SweepConfigError(`${this.path} holds a sweep with other settings (${diff.join('; ')}); give another --sweep-dir or the same settings`);
      }
      // A plain rerun (the same command resuming) is not worth a second line.
      const commands = old.commands[old.commands.length - 1] === command ? old.commands : [...old.commands, command];
      this.file = { ...old, grid, commands, updatedAt: now };
    } else {
      refuseOtherDirectory(this.path);
      this.file = { settings, grid, commands: [command], createdAt: now, updatedAt: now };
    }
    // A damaged sweep.jsonl too, before sweep.json takes this command as one that ran the sweep.
    this.finished();
    // sweep.json first: a directory this leaves behind, even half made, is then known for a sweep's.
    mkdirSync(this.path, { recursive: true });
    writeFileAtomicSync(at, `${JSON.stringify(this.file, null, 2)}\n`);
    mkdirSync(join(this.path, POINT_RUNS_DIR), { recursive: true });
  }

  get settings(): SweepSettings {
    return this.file.settings;
  }

  get commands(): string[] {
    return [...this.file.commands];
  }

  get runsRoot(): string {
    return join(this.path, POINT_RUNS_DIR);
  }

  /**
   * Finished points by id (the last record wins). A line torn by a crash (not JSON) is skipped: its
   * point runs again. A whole line that is not a finished point's record is refused, naming it,
   * before the outputs are rewritten from it.
   */
  finished(): Map<string, PointResult> {
    const out = new Map<string, PointResult>();
    const at = join(this.path, SWEEP_JSONL);
    if (!existsSync(at)) return out;
    for (const [i, line] of readFileSync(at, 'utf8').split('\n').entries()) {
      if (!line.trim()) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        // Only a crash mid-append leaves a partial line; that point simply runs again.
        continue;
      }
      const r = pointRecord(parsed);
      if (typeof r === 'string') {
        throw new SweepConfigError(`${at} line ${i + 1} is not a finished point's record (${r}); repair or delete that line (its point then runs again)`);
      }
      out.set(r.id, r);
    }
    return out;
  }

  record(result: PointResult): void {
    const at = join(this.path, SWEEP_JSONL);
    // After a torn line, start on a fresh one so this record stays whole.
    const torn = existsSync(at) && !readFileSync(at, 'utf8').endsWith('\n') && readFileSync(at).length > 0;
    appendFileSync(at, `${torn ? '\n' : ''}${JSON.stringify(result)}\n`);
  }
}
