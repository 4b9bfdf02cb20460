// A process of simulated clients (client-swarm.ts), through tsx like the CLI itself.
import { register } from 'tsx/esm/api';

register();
await import('./client-swarm.ts');
