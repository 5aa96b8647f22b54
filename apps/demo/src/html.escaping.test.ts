import { describe, expect, it } from 'vitest';
import { escapeHtml, html, layout, SafeHtml } from './html';

describe('HTML escaping', () => {
  it('escapes every character that can open a tag, an entity or leave an attribute', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y' \`z\``)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; &#96;z&#96;');
  });

  it('escapes interpolated values but keeps markup built by html', () => {
    const name = '"><img src=x onerror=alert(1)>';
    const out = html`<p title="${name}">${name} ${html`<b>${'<i>'}</b>`}</p>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.value).toBe('<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt; <b>&lt;i&gt;</b></p>');
  });

  it('renders arrays item by item and nothing for null, undefined and false', () => {
    expect(html`${['<a>', html`<br />`]}|${null}|${undefined}|${false}|${0}`.value).toBe('&lt;a&gt;<br />||||0');
  });

  it('escapes the title and the CSRF token in the layout', () => {
    const page = layout({ title: '</title><script>', csrfToken: '"x', body: html`ok` });
    expect(page).toContain('<title>&lt;/title&gt;&lt;script&gt; · Holdfast demo</title>');
    expect(page).toContain('content="&quot;x"');
    expect(page).not.toContain('<script>');
  });
});
