import { insertText, integerText } from './mysql-statements';

describe('integerText', () => {
  it('should write integers as String does when they are 0 to the largest id', () => {
    for (const n of [0, 7, 10, 99, 100, 123_456, 1_000_000, 2_147_483_647]) expect(integerText(n)).toBe(String(n));
  });
});

describe('insertText', () => {
  const rows = [
    [1, "O'Brien's \\ team"],
    [20, 'Sales'],
  ];

  it('should escape text and write numbers as they are when building the MySQL upsert', () => {
    expect(insertText('departments', rows, true)).toBe(
      "INSERT INTO departments (id,department) VALUES (1,'O\\'Brien\\'s \\\\ team'),(20,'Sales') ON DUPLICATE KEY UPDATE department=VALUES(department)",
    );
  });

  it('should build a plain insert when no upsert is asked for', () => {
    expect(insertText('departments', rows, false)).toBe(
      "INSERT INTO departments (id,department) VALUES (1,'O\\'Brien\\'s \\\\ team'),(20,'Sales')",
    );
  });
});
