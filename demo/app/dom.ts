/** Small DOM helpers: the demo has no framework on purpose, so it is easy to copy. */
export function $<T extends HTMLElement = HTMLElement>(selector: string, root: ParentNode = document): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

export function setStatus(text: string, tone: "ok" | "bad" | "" = ""): void {
  const el = $("#status");
  el.textContent = text;
  el.className = tone;
}

export function show(el: HTMLElement, visible = true): void {
  el.hidden = !visible;
}
