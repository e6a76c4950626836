import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { RequestValidationPipe } from './request-validation.pipe';

class YearQuery {
  @IsOptional()
  @Matches(/^\d{4}$/, { message: 'year must be four digits' })
  year?: string;

  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: string;

  get yearNumber(): number {
    return Number(this.year ?? 2021);
  }
}

const query: ArgumentMetadata = { type: 'query', metatype: YearQuery, data: '' };

describe('RequestValidationPipe', () => {
  let pipe: RequestValidationPipe;
  let validations: jest.SpyInstance;

  beforeEach(() => {
    pipe = new RequestValidationPipe({ whitelist: true, transform: true });
    validations = jest.spyOn(ValidationPipe.prototype, 'transform');
  });
  afterEach(() => validations.mockRestore());

  it('should validate a query string once, and give every later request its own equal instance', async () => {
    const first = (await pipe.transform({ year: '2021', extra: 'x' }, query)) as YearQuery;
    const second = (await pipe.transform({ year: '2021', extra: 'x' }, query)) as YearQuery;
    expect(validations).toHaveBeenCalledTimes(1);
    expect(second).toBeInstanceOf(YearQuery);
    expect(second).not.toBe(first);
    expect({ ...second }).toEqual({ year: '2021' });
    expect(second.yearNumber).toBe(2021);
    // A handler that changes its DTO changes nobody else's.
    second.year = '1999';
    const third = (await pipe.transform({ year: '2021', extra: 'x' }, query)) as YearQuery;
    expect(third.year).toBe('2021');
  });

  it('should validate another query string, or the same one for another DTO, on its own', async () => {
    class OtherQuery {
      @IsOptional()
      @Matches(/^\d+$/)
      year?: string;
    }
    await pipe.transform({ year: '2021' }, query);
    const csv = (await pipe.transform({ year: '2021', format: 'csv' }, query)) as YearQuery;
    const other = await pipe.transform({ year: '2021' }, { type: 'query', metatype: OtherQuery, data: '' });
    expect(validations).toHaveBeenCalledTimes(3);
    expect(csv.format).toBe('csv');
    expect(other).toBeInstanceOf(OtherQuery);
  });

  it('should refuse an invalid query every time it comes, never remembering it', async () => {
    for (let i = 0; i < 3; i++) await expect(pipe.transform({ year: '21' }, query)).rejects.toThrow();
    expect(validations).toHaveBeenCalledTimes(3);
  });

  it('should validate every time a query with repeated keys, a body, or a DTO holding objects', async () => {
    class Tagged {
      @IsOptional()
      @Transform(({ value }: { value: string }) => value.split(','))
      tags?: string[];
    }
    for (let i = 0; i < 2; i++) {
      await expect(pipe.transform({ year: ['2021', '2022'] }, query)).rejects.toThrow();
      await pipe.transform({ year: '2021' }, { type: 'body', metatype: YearQuery, data: '' });
      const tagged = (await pipe.transform({ tags: 'a,b' }, { type: 'query', metatype: Tagged, data: '' })) as Tagged;
      expect(tagged.tags).toEqual(['a', 'b']);
    }
    expect(validations).toHaveBeenCalledTimes(6);
  });

  it('should keep a bounded number of query strings, forgetting the oldest', async () => {
    for (let i = 0; i < 501; i++) await pipe.transform({ year: String(1000 + i) }, query);
    validations.mockClear();
    await pipe.transform({ year: '1500' }, query);
    expect(validations).not.toHaveBeenCalled();
    await pipe.transform({ year: '1000' }, query);
    expect(validations).toHaveBeenCalledTimes(1);
  });
});
