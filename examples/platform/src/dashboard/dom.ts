/**
 * A few DOM helpers: element creation and focus-preserving replacement of a container's
 * children. Enough for a dashboard this size without a framework.
 *
 * @module
 */

type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;
type Child = Node | string | null | undefined | false;

/** Create an element: `h('button', { type: 'button', onclick: fn }, 'Stop')`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** The element with this id (throws if the page lacks it: a bug, not a runtime condition). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: no #${id} on the page`);
  return el as T;
}

/**
 * Replace a container's children, keeping keyboard focus on the "same" element: the one with
 * the same `data-focus-key` in the new content. Re-rendering never throws the user's focus away.
 */
export function replaceChildren(container: HTMLElement, children: Node[]): void {
  const active = document.activeElement;
  const key =
    active instanceof HTMLElement && container.contains(active) ? active.dataset.focusKey : undefined;
  container.replaceChildren(...children);
  if (key !== undefined) {
    const next = container.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
    if (next && !(next as HTMLButtonElement).disabled) next.focus();
    else container.closest<HTMLElement>('[tabindex="-1"]')?.focus();
  }
}

/** `14:03:22` in local time, from an ISO string or epoch milliseconds. */
export function clock(at: string | number): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? String(at) : date.toLocaleTimeString([], { hour12: false });
}

/** `12 s ago`, `3 min ago`, … */
export function ago(at: string | number | null | undefined, now = Date.now()): string {
  if (at === null || at === undefined) return 'never';
  const t = new Date(at).getTime();
  if (Number.isNaN(t)) return String(at);
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}
