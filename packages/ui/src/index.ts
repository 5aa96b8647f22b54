// Shared React pieces for the web app and the apps to come (push approval, admin console).
export type { CodeInputProps } from './code-input';
export { CodeInput } from './code-input';
export type { CodeInputAttributes, CodeKind } from './code-input-attributes';
export { codeInputAttributes } from './code-input-attributes';
