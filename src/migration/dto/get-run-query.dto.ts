import { MAX_OFFSET, QueryInteger } from '../../common/validation/query-integer';

/** The query of `GET /migrate/runs/:id`: which page of the reject log, counted in rejected rows. */
export class GetRunQueryDto {
  @QueryInteger('rejectedLimit', {
    min: 1,
    max: 1000,
    default: 100,
    description: 'How many rejected rows to answer, in their batches',
  })
  rejectedLimit?: number;

  @QueryInteger('rejectedOffset', {
    min: 0,
    max: MAX_OFFSET,
    default: 0,
    description: 'How many rejected rows to skip, in file order',
  })
  rejectedOffset?: number;
}
