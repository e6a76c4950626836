import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { json } from 'express';
import type { Server } from 'node:http';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { DomainError } from './common/errors/domain-error';
import { WriteGate } from './common/guards/write-gate';
import { rememberingWeakEtag } from './common/http/etag';
import { rememberingQueryParser } from './common/http/query-parser';
import { refuseNonUtf8Body, rejectHostileJson } from './common/json-depth';
import { RequestValidationPipe } from './common/validation/request-validation.pipe';
import { AccessLog } from './observability/access-log';
import { AppLogger } from './observability/app-logger';
import { requestContext } from './observability/request-context';
import { createOpenApiDocument } from './openapi-document';

/** Builds the application exactly as production runs it; main.ts and the e2e tests both use it. */
export async function createApp(config: AppConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const logger = options.logger === false ? false : new AppLogger(config.logging);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new ExpressAdapter(), {
    logger,
    bodyParser: true,
  });
  const accessLog = app.get(AccessLog);
  if (logger) accessLog.writeTo(logger);
  // First, so that every later step (parsers, guards, the exception filter) logs with the request's id.
  app.use(requestContext, accessLog.middleware);
  // Before any body parser: a write without the key, or over the rate limit, is answered unread.
  app.use(app.get(WriteGate).middleware);
  // No deadline on a whole request: an upload may take longer than Node's 300 s and still be sending.
  // An upload that stops sending is cut after UPLOAD_IDLE_SECONDS instead (see UploadInterceptor).
  (app.getHttpServer() as Server).requestTimeout = 0;
  // Express's own JSON parser (Nest's typing leaves `verify` out, and then adds no parser of its own).
  app.use(json({ limit: '5mb', verify: refuseNonUtf8Body }));
  app.use(rejectHostileJson);
  // Helmet's default CSP, less upgrade-insecure-requests: a browser obeying it on a plain-HTTP host
  // (other than localhost) fetches the dashboard's scripts over HTTPS, and they fail to load.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.useGlobalPipes(
    new RequestValidationPipe({
      whitelist: true,
      transform: true,
      exceptionFactory: (errors) =>
        new DomainError(
          'REQUEST_INVALID',
          errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ') || 'The request is not valid',
        ),
    }),
  );
  // The same weak ETag as Express's own, remembered for the last small bodies (a cached report's).
  app.set('etag', rememberingWeakEtag());
  // Express's simple query parser, the last short query strings remembered.
  app.set('query parser', rememberingQueryParser());
  app.enableShutdownHooks();
  const document = createOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
