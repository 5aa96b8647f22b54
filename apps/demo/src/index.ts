// For tests and embedding: the app factory and its parts. The process entry is main.ts.
export { createDemoApp, type DemoAppOptions } from './app';
export { readDemoEnv, demoEnvSchema, type DemoEnv } from './env';
export { escapeHtml, html, SafeHtml } from './html';
export { hashPassword, isPasswordMatch, openPasswordStore, type PasswordStore } from './password-store';
export { SessionStore } from './sessions';
