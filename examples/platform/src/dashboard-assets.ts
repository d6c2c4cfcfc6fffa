/**
 * The dashboard's files, prepared once at start-up: the TypeScript modules under
 * `src/dashboard/` bundled by esbuild in memory (no build step, nothing written to disk), the
 * stylesheet, the page, and the statechart SVG.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { renderStatechart, type StatechartDiagram } from './statechart-svg.js';

/** A file served from memory. */
export interface Asset {
  readonly body: string;
  readonly type: string;
}

/** Everything the dashboard serves. */
export interface DashboardAssets {
  /** Path (`/`, `/assets/app.js`, …) → file. */
  readonly files: ReadonlyMap<string, Asset>;
  readonly statechart: StatechartDiagram;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Bundle and load the dashboard (about 100 ms). */
export async function buildDashboardAssets(): Promise<DashboardAssets> {
  const [bundle, css, html] = await Promise.all([
    build({
      entryPoints: [here('./dashboard/main.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      conditions: ['@berth/source'],
      sourcemap: 'inline',
      legalComments: 'none',
      logLevel: 'silent',
    }),
    readFile(here('./dashboard/app.css'), 'utf8'),
    readFile(here('./dashboard/index.html'), 'utf8'),
  ]);
  const js = bundle.outputFiles[0]?.text;
  if (js === undefined) throw new Error('berth platform: the dashboard bundle is empty');
  const statechart = renderStatechart();
  const files = new Map<string, Asset>([
    ['/', { body: html, type: 'text/html; charset=utf-8' }],
    ['/assets/app.js', { body: js, type: 'text/javascript; charset=utf-8' }],
    ['/assets/app.css', { body: css, type: 'text/css; charset=utf-8' }],
    ['/assets/statechart.svg', { body: statechart.svg, type: 'image/svg+xml; charset=utf-8' }],
  ]);
  return { files, statechart };
}
