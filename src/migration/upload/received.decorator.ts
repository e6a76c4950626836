import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { sessionOf, type ReceivedUpload } from './upload-session';

/** The upload the UploadInterceptor received for this request. */
export const Received = createParamDecorator((_data: unknown, context: ExecutionContext): ReceivedUpload =>
  sessionOf(context.switchToHttp().getRequest()).received(),
);
