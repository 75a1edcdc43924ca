// The look of the offline login pages: one accessible, self-contained layout (no script, no external request).
import { escapeHtml } from './http.ts';

export interface PageContent {
  /** The tenant's name (the pool's name), shown as the page's heading. */
  tenant: string;
  /** What this page asks for, e.g. "Sign in". */
  title: string;
  /** Trusted markup built by the caller from escaped values. */
  body: string;
  /** Announced to screen readers: an error says what went wrong, a notice what just happened. */
  error?: string;
  notice?: string;
}

export function page({ tenant, title, body, error, notice }: PageContent): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(tenant)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="tenant">${escapeHtml(tenant)}</p>
<h1>${escapeHtml(title)}</h1>
<div role="alert" aria-live="assertive" class="${error ? 'error' : 'empty'}">${error ? escapeHtml(error) : ''}</div>
${notice ? `<p role="status" class="notice">${escapeHtml(notice)}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

/** A labelled input: the label names it for people and screen readers alike. */
export function field(
  name: string,
  label: string,
  options: { type?: string; autocomplete?: string; value?: string; hint?: string; inputmode?: string } = {},
): string {
  const id = `f-${name}`;
  const hint = options.hint ? `<p class="hint" id="${id}-hint">${escapeHtml(options.hint)}</p>` : '';
  return `<div class="field"><label for="${id}">${escapeHtml(label)}</label>${hint}<input id="${id}" name="${escapeHtml(name)}" type="${options.type ?? 'text'}" required${
    options.autocomplete ? ` autocomplete="${options.autocomplete}"` : ''
  }${options.inputmode ? ` inputmode="${options.inputmode}"` : ''}${options.hint ? ` aria-describedby="${id}-hint"` : ''}${
    options.value !== undefined ? ` value="${escapeHtml(options.value)}"` : ''
  }></div>`;
}

export const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#eef1f5;color:#1b1f24;line-height:1.5}
main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
@media (max-width:30rem){main{margin:0;border-radius:0;min-height:100vh}}
.tenant{margin:0;font-weight:600;color:#35495e}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
.field{margin-bottom:1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input{width:100%;padding:.6rem;font-size:1rem;border:1px solid #5b6670;border-radius:.25rem}
input:focus,button:focus,a:focus{outline:3px solid #1f6feb;outline-offset:2px}
button{width:100%;padding:.7rem;font-size:1rem;font-weight:600;color:#fff;background:#0b5cad;border:0;border-radius:.25rem;cursor:pointer}
.error{padding:.75rem;margin-bottom:1rem;border-left:4px solid #b3261e;background:#fdecea;color:#7a1c16}
.notice{padding:.75rem;border-left:4px solid #1a7f37;background:#e9f6ec;color:#14532d}
.hint,.policy{font-size:.9rem;color:#3d4751;margin:.25rem 0}
.policy{padding-left:1.2rem}
.secret{font-family:ui-monospace,monospace;word-break:break-all;background:#f3f4f6;padding:.5rem}
.qr{display:block;margin:0 auto 1rem;width:12rem;height:12rem}
a{color:#0b5cad}
p.links{text-align:center;margin-top:1rem}
`;
