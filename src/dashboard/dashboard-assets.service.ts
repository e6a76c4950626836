import { Injectable } from '@nestjs/common';
import { join } from 'node:path';

export interface DashboardAsset {
  path: string;
  contentType: string;
}

const PUBLIC_DIR = join(__dirname, 'public');

/**
 * The files the dashboard page may load, by the name it asks for: a fixed list, so no request
 * can reach another file. ECharts is served from the installed package (no CDN, no build step).
 */
@Injectable()
export class DashboardAssetsService {
  private readonly assets = new Map<string, DashboardAsset>([
    ['dashboard.js', { path: join(PUBLIC_DIR, 'dashboard.js'), contentType: 'text/javascript; charset=utf-8' }],
    ['dashboard.css', { path: join(PUBLIC_DIR, 'dashboard.css'), contentType: 'text/css; charset=utf-8' }],
    [
      'echarts.min.js',
      { path: require.resolve('echarts/dist/echarts.min.js'), contentType: 'text/javascript; charset=utf-8' },
    ],
  ]);

  readonly page: DashboardAsset = { path: join(PUBLIC_DIR, 'index.html'), contentType: 'text/html; charset=utf-8' };

  find(name: string): DashboardAsset | undefined {
    return this.assets.get(name);
  }
}
