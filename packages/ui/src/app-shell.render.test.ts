import { createElement, isValidElement, type ReactElement } from 'react';
import { describe, expect, it } from 'vitest';

import { AppShell } from './app-shell';

type Props = Record<string, unknown>;

function element(node: unknown): ReactElement<Props> {
  if (!isValidElement<Props>(node)) throw new Error('not a React element');
  return node;
}

/** The skip link, header and main the shell renders (no DOM needed: it has no hooks). */
function render(props: Parameters<typeof AppShell>[0]): ReactElement<Props>[] {
  const children = element(AppShell(props)).props.children;
  if (!Array.isArray(children)) throw new Error('expected a skip link, a header and a main');
  return children.map(element);
}

describe('AppShell', () => {
  it('skips to the main landmark, which holds the page', () => {
    const page = createElement('p', null, 'the page');
    const [skip, , main] = render({ name: 'Holdfast', children: page });
    expect(skip?.type).toBe('a');
    expect(skip?.props).toMatchObject({ className: 'skip-link', href: '#main', children: 'Skip to content' });
    expect(main?.type).toBe('main');
    expect(main?.props).toMatchObject({ id: 'main', className: 'page', children: page });
  });

  it('links the brand home only where the app has a home page', () => {
    const [, plain] = render({ name: 'Holdfast', children: null });
    expect(element(plain?.props.children).type).toBe('span');
    const [, linked] = render({ name: 'Holdfast Push', homeHref: '/', children: null });
    const brand = element(linked?.props.children);
    expect(brand.type).toBe('a');
    expect(brand.props.href).toBe('/');
    expect(element(brand.props.children).props.children).toEqual([expect.anything(), ' ', 'Holdfast Push']);
  });
});
