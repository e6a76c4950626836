-- The years (UTC) in which anyone was hired, for the dashboard's year picker.
-- No parameters. Both engines give the stored instant as 'YYYY-MM-DD HH:MM:SS.mmm' text (SQLite stores it
-- so; MySQL casts DATETIME to it), so its first four characters are the year on either. One scan of
-- idx_hired_employees_datetime, which covers the column; the service caches the answer until a write.
SELECT DISTINCT SUBSTR(datetime, 1, 4) AS year
FROM hired_employees
