import { isValidElement, type ReactElement } from 'react';
import { describe, expect, it } from 'vitest';

import { CodeInput } from './code-input';

type Props = Record<string, unknown>;

function element(node: unknown): ReactElement<Props> {
  if (!isValidElement<Props>(node)) throw new Error('not a React element');
  return node;
}

/** The label and the input the component renders (no DOM needed: it has no hooks). */
function render(props: Parameters<typeof CodeInput>[0]): { label: ReactElement<Props>; input: ReactElement<Props> } {
  const field = element(CodeInput(props));
  const children = field.props.children;
  if (!Array.isArray(children)) throw new Error('expected a label and an input');
  return { label: element(children[0]), input: element(children[1]) };
}

describe('CodeInput', () => {
  it('labels its input (the label is the accessible name pages and tests find it by)', () => {
    const { label, input } = render({ kind: 'totp', id: 'totp-code', label: '6-digit code', value: '', onChange: () => undefined });
    expect(label.type).toBe('label');
    expect(label.props.htmlFor).toBe('totp-code');
    expect(label.props.children).toBe('6-digit code');
    expect(input.type).toBe('input');
    expect(input.props.id).toBe('totp-code');
    expect(input.props.required).toBe(true);
    expect(input.props.className).toBe('code-input');
  });

  it('takes the attributes of its kind of code', () => {
    const totp = render({ kind: 'totp', id: 'a', label: 'Code', value: '', onChange: () => undefined }).input;
    const recovery = render({ kind: 'recovery_code', id: 'b', label: 'Recovery code', value: '', onChange: () => undefined }).input;
    expect([totp.props.inputMode, totp.props.autoComplete, totp.props.maxLength]).toEqual(['numeric', 'one-time-code', 11]);
    expect([recovery.props.autoComplete, recovery.props.autoCapitalize, recovery.props.maxLength]).toEqual(['off', 'characters', 32]);
  });

  it('reports what was typed and carries the error wiring', () => {
    const typed: string[] = [];
    const { input } = render({
      kind: 'totp',
      id: 'c',
      label: 'Code',
      value: '12',
      onChange: (value) => typed.push(value),
      isInvalid: true,
      describedBy: 'c-error',
    });
    const onChange = input.props.onChange as (event: { target: { value: string } }) => void;
    onChange({ target: { value: '123' } });
    expect(typed).toEqual(['123']);
    expect(input.props.value).toBe('12');
    expect(input.props['aria-invalid']).toBe(true);
    expect(input.props['aria-describedby']).toBe('c-error');
  });
});
