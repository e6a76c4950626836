import { MAX_OFFSET, QueryInteger } from '../../common/validation/query-integer';

export class ListRunsQueryDto {
  @QueryInteger('limit', { min: 1, max: 1000, default: 50 })
  limit?: number;

  @QueryInteger('offset', { min: 0, max: MAX_OFFSET, default: 0 })
  offset?: number;
}
