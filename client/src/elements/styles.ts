/**
 * The elements' default look. Everything is reachable from the page through
 * CSS parts (`facegate-verify::part(action) { ... }`) and custom properties
 * (`--facegate-accent`, `--facegate-ready`, `--facegate-adjust`, `--facegate-radius`).
 * Applied as a constructed stylesheet, which a page's CSP `style-src 'self'` allows.
 */
export const CSS = `
:host { display: block; max-width: 480px; font: inherit; color: inherit;
  --facegate-accent: #1a73e8; --facegate-ready: #34a853; --facegate-adjust: #fbbc04; --facegate-radius: 12px; }
:host([hidden]) { display: none; }
[hidden] { display: none !important; }
[part~=container] { display: grid; gap: 0.75rem; }
[part~=camera] { position: relative; aspect-ratio: 4 / 3; background: #111; border-radius: var(--facegate-radius); overflow: hidden; }
[part~=video] { width: 100%; height: 100%; object-fit: cover; transform: scaleX(-1); display: block; }
[part~=oval] { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
[part~=oval] ellipse { fill: none; stroke: rgba(255,255,255,0.7); stroke-width: 1.2; stroke-dasharray: 3 2; transition: stroke 0.2s; }
:host([data-state=ready]) [part~=oval] ellipse { stroke: var(--facegate-ready); stroke-dasharray: none; stroke-width: 1.6; }
:host([data-state=adjust]) [part~=oval] ellipse { stroke: var(--facegate-adjust); }
[part~=guidance] { margin: 0; min-height: 1.5em; }
[part~=error] { margin: 0; color: #b00020; }
[part~=progress] { display: grid; gap: 0.25rem; }
[part~=progress-bar] { width: 100%; }
button { font: inherit; padding: 0.6rem 1rem; border-radius: 8px; border: 0; background: var(--facegate-accent); color: #fff; cursor: pointer; }
button:disabled { opacity: 0.5; cursor: not-allowed; }
button:focus-visible { outline: 3px solid var(--facegate-accent); outline-offset: 2px; }
`;
