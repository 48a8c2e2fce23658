export * from './introspect.js';
