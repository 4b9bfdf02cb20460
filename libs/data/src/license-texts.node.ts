import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Real English prose that every Debian machine has: the licence texts of the `base-files` package
 * (Essential, so present on any Debian or Ubuntu install, CI included) in /usr/share/common-licenses.
 * About 270 kB: GPL, LGPL, GFDL, MPL, Apache, Artistic, BSD, CC0. Symlinks (GPL → GPL-3) are skipped
 * so no text counts twice; files are read in name order so the corpus is the same on every machine.
 */
export const LICENSE_TEXT_DIR = '/usr/share/common-licenses';

export function loadLicenseTexts(dir = LICENSE_TEXT_DIR): string {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw new Error(`the English corpus is read from ${dir} (Debian package base-files); it is missing on this machine`);
  }
  const texts = names.filter((n) => lstatSync(join(dir, n)).isFile()).map((n) => readFileSync(join(dir, n), 'utf8'));
  if (texts.length === 0) throw new Error(`no licence texts found in ${dir}`);
  return texts.join('\n\n');
}
