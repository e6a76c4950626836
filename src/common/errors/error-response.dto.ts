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

  @ApiProperty({
    example: '6f1c2a9e-4b1d-4c55-9a43-0d8e1f0b7c21',
    description:
      "The request's id (X-Request-Id): quote it when reporting a problem; every log line of the request carries it",
  })
  requestId!: string;

  @ApiPropertyOptional({
    example: 'departments',
    description: 'The table concerned, on TABLE_BUSY and BACKUP_RESTORE_CONFLICT',
  })
  table?: string;

  @ApiPropertyOptional({
    example: '6f1c2a9e-4b1d-4c55-9a43-0d8e1f0b7c21',
    description: 'On an unexpected error (500): the id to quote, the same as requestId',
  })
  correlationId?: string;
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
      requestId: '6f1c2a9e-4b1d-4c55-9a43-0d8e1f0b7c21',
    },
  },
  Unauthorized: {
    summary: 'No API key, or not the right one',
    value: {
      statusCode: 401,
      error: 'Unauthorized',
      message: 'This endpoint needs the header Authorization: Bearer <API_KEY>',
      code: 'AUTH_MISSING_KEY',
      requestId: '0b7c2d1e-9a43-4c55-8e1f-6f1c2a9e4b1d',
    },
  },
  TooManyRequests: {
    summary: 'More writes than RATE_LIMIT_PER_MINUTE',
    value: {
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Too many write requests; wait for the number of seconds in Retry-After and try again',
      requestId: 'c21d8e1f-0b7c-4a43-9c55-4b1d6f1c2a9e',
    },
  },
} satisfies Record<string, { summary: string; value: ErrorResponseDto }>;
