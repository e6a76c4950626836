import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The shape of every error answer, as the exception filter writes it. */
export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ example: 'batchSize must be an integer from 1 to 1000' })
  message!: string;

  @ApiPropertyOptional({ example: 'REQUEST_INVALID', description: 'A stable code for programs, on domain errors' })
  code?: string;
}

/** Named examples of error answers for the OpenAPI document. */
export const ERROR_EXAMPLES = {
  Error: {
    summary: 'A request that breaks a rule',
    value: {
      statusCode: 400,
      error: 'Bad Request',
      message: 'batchSize must be an integer from 1 to 1000',
      code: 'REQUEST_INVALID',
    },
  },
  Unauthorized: {
    summary: 'No API key, or not the right one',
    value: {
      statusCode: 401,
      error: 'Unauthorized',
      message: 'This endpoint needs the header Authorization: Bearer <API_KEY>',
      code: 'AUTH_MISSING_KEY',
    },
  },
  TooManyRequests: {
    summary: 'More writes than RATE_LIMIT_PER_MINUTE',
    value: {
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too many write requests; wait for the number of seconds in Retry-After and try again',
    },
  },
} satisfies Record<string, { summary: string; value: ErrorResponseDto }>;
