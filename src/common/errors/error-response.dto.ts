import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The shape of every error answer, as the exception filter writes it. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ example: 'batchSize must be an integer from 1 to 1000' })
  message!: string;

  @ApiPropertyOptional({ example: 'REQUEST_INVALID', description: 'A stable code for programs, on domain errors' })
  code?: string;
}
