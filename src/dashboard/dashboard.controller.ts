import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { OpenRead } from '../common/guards/open-read.decorator';
import { DashboardAssetsService, type DashboardAsset } from './dashboard-assets.service';
import { echo } from '../common/text/echo';

@ApiTags('dashboard')
@OpenRead()
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly assets: DashboardAssetsService) {}

  @Get()
  @ApiOperation({
    summary: 'The hiring dashboard: both reports as charts and tables, with a year selector (?year=2021)',
  })
  @ApiProduces('text/html')
  @ApiOkResponse({
    description: 'An HTML page; its scripts and styles are served by this service',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  page(@Res() response: Response): void {
    send(response, this.assets.page, 'no-cache');
  }

  @Get('assets/:name')
  @ApiExcludeEndpoint()
  asset(@Param('name') name: string, @Res() response: Response): void {
    const asset = this.assets.find(name);
    if (!asset) throw new NotFoundException(`The dashboard has no asset named ${echo(name)}`);
    send(response, asset, 'public, max-age=300');
  }
}

function send(response: Response, asset: DashboardAsset, cacheControl: string): void {
  // Express would guess the type and set its own Cache-Control; these are the ones meant.
  response.sendFile(asset.path, {
    cacheControl: false,
    headers: { 'Content-Type': asset.contentType, 'Cache-Control': cacheControl },
  });
}
