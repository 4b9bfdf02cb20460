export * from './version.ts';
export * from './reasons.ts';
export * from './messages.ts';
export * from './events.ts';
export * from './dashboard.ts';
export * from './port-link.ts';
export * from './display.ts';
