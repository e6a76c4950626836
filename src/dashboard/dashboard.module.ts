import { Module } from '@nestjs/common';
import { DashboardAssetsService } from './dashboard-assets.service';
import { DashboardController } from './dashboard.controller';

/** The page only reads the reports over HTTP, like any other client, so it needs no report module. */
@Module({ controllers: [DashboardController], providers: [DashboardAssetsService] })
export class DashboardModule {}
