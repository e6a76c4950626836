import { Injectable } from '@nestjs/common';
import { join } from 'node:path';

export interface DashboardAsset {
  path: string;
  contentType: string;
}

const PUBLIC_DIR = join(__dirname, 'public');

/** The page's ES modules: dashboard.js is the entry, and imports the others by these names. */
export const DASHBOARD_MODULES = ['dashboard.js', 'api.js', 'dom.js', 'reports.js', 'runs.js', 'backups.js'];

const JAVASCRIPT = 'text/javascript; charset=utf-8';

/**
 * The files the dashboard page may load, by the name it asks for: a fixed list, so no request
 * can reach another file. ECharts is served from the installed package (no CDN, no build step).
 * Browsers run a module only when its Content-Type is JavaScript.
 */
@Injectable()
export class DashboardAssetsService {
  private readonly assets = new Map<string, DashboardAsset>([
    ...DASHBOARD_MODULES.map((name): [string, DashboardAsset] => [
      name,
      { path: join(PUBLIC_DIR, name), contentType: JAVASCRIPT },
    ]),
    ['dashboard.css', { path: join(PUBLIC_DIR, 'dashboard.css'), contentType: 'text/css; charset=utf-8' }],
    ['echarts.min.js', { path: require.resolve('echarts/dist/echarts.min.js'), contentType: JAVASCRIPT }],
  ]);

  readonly page: DashboardAsset = { path: join(PUBLIC_DIR, 'index.html'), contentType: 'text/html; charset=utf-8' };

  find(name: string): DashboardAsset | undefined {
    return this.assets.get(name);
  }
}
