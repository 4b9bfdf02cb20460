// A child process that times one gradient engine (engine-probe.ts), through tsx like the CLI itself.
import { register } from 'tsx/esm/api';

register();
await import('./engine-probe.ts');
