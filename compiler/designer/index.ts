/** The visual designer's core (issue 16): see api.ts and README.md. */
export * from './api.js';
